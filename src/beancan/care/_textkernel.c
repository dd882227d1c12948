/* Single-pass text kernels for the audit's reply traits (see beancan/care/replies.py).
 *
 * Each function reads a column of UTF-8 strings as Arrow lays it out (int64 offsets and one data
 * buffer) and writes its results into arrays the caller allocated, with the GIL released, so two
 * batches run on two cores. What they compute is defined by the regular expressions of
 * replies.py; a test checks them against Python's `re` on every record of the real sample, the
 * demo export and built edge cases.
 *
 *   canned_hashes: the last canned-template step (CANNED_STEPS[3], the handles, numbers,
 *       greetings, closing words and pleasantries, each replaced by a space), then the fold to
 *       words (the runs of a-z left), then a 64-bit hash of those words in order; no hash
 *       (invalid) when fewer than `min_words` words are left.
 *   twcs_times: the dataset's dates ("Tue Oct 31 22:10:47 +0000 2017") in seconds since the
 *       epoch, where a text is exactly that layout; the others are left to DuckDB's strptime.
 *   mentions: every match of MENTION (`@([a-z0-9_]+)`, leftmost, non-overlapping), the groups
 *       joined by one space.
 *
 * Regular-expression semantics reproduced here (leftmost-first, as Rust's regex and Python's re
 * both use): at each position the alternatives are tried in order, and the first that matches
 * decides the match and its greedy length; the search goes on after the match. Character
 * classes are those of the patterns: [a-z] and [0-9] are ASCII, \s is Unicode White_Space.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64
#define MAX_WORD_LEN 8

static inline int is_lower(uint8_t c) { return (uint8_t)(c - 'a') < 26; }
static inline int is_digit(uint8_t c) { return (uint8_t)(c - '0') < 10; }
static inline int is_handle_char(uint8_t c) { return is_lower(c) || is_digit(c) || c == '_'; }

/* Words of at most 8 letters, each held as its bytes in one 64-bit integer (letters are never
 * 0, so the integer also tells the length), in a small open-addressing table with a bit per list
 * the word is in. */
#define TABLE_SLOTS 256
typedef struct {
    uint64_t key[TABLE_SLOTS];
    uint8_t lists[TABLE_SLOTS];
} WordTable;

/* Up to 8 bytes s[0..len) as one integer, first byte lowest; `room` bytes may be read. */
static inline uint64_t pack(const uint8_t *s, Py_ssize_t len, Py_ssize_t room) {
    uint64_t key = 0;
    if (room >= 8) {
        memcpy(&key, s, 8);
        return len >= 8 ? key : key & ((1ULL << (8 * len)) - 1);
    }
    for (Py_ssize_t i = 0; i < len; i++) key |= (uint64_t)s[i] << (8 * i);
    return key;
}

static inline unsigned slot_of(uint64_t key) {
    return (unsigned)((key * 0x9E3779B97F4A7C15ULL) >> 56);
}

/* Add a space-separated list of lowercase ASCII words (the pattern's alternation) as list bit
 * `bit`; -1 if a word is not one, is too long, or the table is full. */
static int add_words(WordTable *t, const uint8_t *s, Py_ssize_t n, uint8_t bit) {
    Py_ssize_t i = 0;
    int added = 0;
    while (i < n) {
        while (i < n && s[i] == ' ') i++;
        Py_ssize_t start = i;
        while (i < n && s[i] != ' ') {
            if (!is_lower(s[i])) return -1;
            i++;
        }
        if (i == start) continue;
        if (i - start > MAX_WORD_LEN || ++added > MAX_WORDS) return -1;
        uint64_t key = pack(s + start, i - start, 0);
        unsigned slot = slot_of(key);
        while (t->lists[slot] && t->key[slot] != key) slot = (slot + 1) % TABLE_SLOTS;
        t->key[slot] = key;
        t->lists[slot] |= bit;
    }
    return 0;
}

/* The lists the letter run s[q..end) is in (0: none). */
static inline uint8_t lists_of(const WordTable *t, uint64_t key) {
    for (unsigned slot = slot_of(key); t->lists[slot]; slot = (slot + 1) % TABLE_SLOTS)
        if (t->key[slot] == key) return t->lists[slot];
    return 0;
}

#define GREETING 1
#define PLEASANT 2

/* Eight bytes at a time (SWAR): a mask with the high bit of every byte of x that is a-z. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t load8(const uint8_t *s) {
    uint64_t x;
    memcpy(&x, s, 8);
    return x;
}

/* Bytes of x in [lo, hi] (ASCII bounds): with the high bits set first, subtracting cannot
 * borrow across bytes, and the high bit of each difference tells "at least". */
static inline uint64_t bytes_between(uint64_t x, uint8_t lo, uint8_t hi) {
    uint64_t y = x | HIGHS;
    return (y - lo * ONES) & ~(y - (hi + 1) * ONES) & ~x & HIGHS;
}

static inline Py_ssize_t letters_end(const uint8_t *s, Py_ssize_t q, Py_ssize_t n) {
    for (; q + 8 <= n; q += 8) {
        uint64_t other = ~bytes_between(load8(s + q), 'a', 'z') & HIGHS;
        if (other) return q + (__builtin_ctzll(other) >> 3);
    }
    while (q < n && is_lower(s[q])) q++;
    return q;
}

/* Length in bytes of the character starting at s[i] (the text is valid UTF-8). */
static inline int char_len(const uint8_t *s, Py_ssize_t i, Py_ssize_t n) {
    uint8_t c = s[i];
    int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    return i + len <= n ? len : (int)(n - i);
}

/* Whether the character at s[i] is Unicode White_Space (what \s means in Rust's regex). */
static int is_space_multibyte(const uint8_t *s, Py_ssize_t i, Py_ssize_t n) {
    uint8_t c = s[i];
    if (c == 0xC2 && i + 1 < n) return s[i + 1] == 0x85 || s[i + 1] == 0xA0;
    if (c == 0xE1 && i + 2 < n) return s[i + 1] == 0x9A && s[i + 2] == 0x80; /* U+1680 */
    if (c == 0xE2 && i + 2 < n) {
        uint8_t b = s[i + 1], d = s[i + 2];
        if (b == 0x80) /* U+2000..200A, 2028, 2029, 202F */
            return d <= 0x8A || d == 0xA8 || d == 0xA9 || d == 0xAF;
        if (b == 0x81) return d == 0x9F; /* U+205F */
        return 0;
    }
    if (c == 0xE3 && i + 2 < n) return s[i + 1] == 0x80 && s[i + 2] == 0x80; /* U+3000 */
    return 0;
}

/* Lead bytes of the multibyte White_Space characters. */
static inline int may_be_space(uint8_t c) { return c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3; }

static inline __attribute__((always_inline)) int is_space_at(const uint8_t *s, Py_ssize_t i,
                                                             Py_ssize_t n) {
    uint8_t c = s[i];
    if (c < 0x80) return c == ' ' || (uint8_t)(c - 0x09) < 5;
    return may_be_space(c) && is_space_multibyte(s, i, n);
}

/* @[a-z0-9_]+(?:[.@][a-z0-9_-]+)* : another handle. */
static Py_ssize_t match_handle(const uint8_t *s, Py_ssize_t p, Py_ssize_t n) {
    if (p + 1 >= n || !is_handle_char(s[p + 1])) return -1;
    Py_ssize_t q = p + 1;
    while (q < n && is_handle_char(s[q])) q++;
    for (;;) {
        if (q + 1 < n && (s[q] == '.' || s[q] == '@') &&
            (is_handle_char(s[q + 1]) || s[q + 1] == '-')) {
            q++;
            while (q < n && (is_handle_char(s[q]) || s[q] == '-')) q++;
        } else {
            return q;
        }
    }
}

/* [^\s]*[0-9][^\s]* at p: the rest of the non-space run from p, if a digit is in it. The run
 * (its end, its last digit) is found once and reused while p stays inside it. */
typedef struct {
    Py_ssize_t end, last_digit;
} Token;

static inline Py_ssize_t match_number(const uint8_t *s, Py_ssize_t p, Py_ssize_t n, Token *t) {
    if (p >= t->end) {
        if (is_space_at(s, p, n)) return -1;
        /* Eight ASCII bytes at a time while there are; else byte by byte (continuation bytes
         * are neither spaces, digits nor lead bytes). */
        Py_ssize_t q = p, d = -1;
        for (; q + 8 <= n; q += 8) {
            uint64_t x = load8(s + q);
            if (x & HIGHS) break;
            uint64_t space = bytes_between(x, ' ', ' ') | bytes_between(x, 0x09, 0x0D);
            uint64_t digits = bytes_between(x, '0', '9');
            if (space) {
                int at = __builtin_ctzll(space) >> 3;
                digits &= at ? (~0ULL >> (64 - 8 * at)) : 0;
                if (digits) d = q + ((63 - __builtin_clzll(digits)) >> 3);
                t->end = q + at;
                t->last_digit = d;
                return t->last_digit >= p ? t->end : -1;
            }
            if (digits) d = q + ((63 - __builtin_clzll(digits)) >> 3);
        }
        for (; q < n; q++) {
            uint8_t c = s[q];
            if (c < 0x80) {
                if (c == ' ' || (uint8_t)(c - 0x09) < 5) break;
                if (is_digit(c)) d = q;
            } else if (may_be_space(c) && is_space_multibyte(s, q, n)) {
                break;
            }
        }
        t->end = q;
        t->last_digit = d;
    }
    return t->last_digit >= p ? t->end : -1;
}

/* The letter run starting at a position, and the word lists it is in: found once per run,
 * though a greeting, the pleasantries and the words kept all look at it. */
typedef struct {
    const WordTable *table;
    Py_ssize_t at, end;
    uint64_t key; /* the run's bytes, if at most 8 */
    uint8_t lists;
} Run;

static inline void run_at(Run *run, const uint8_t *s, Py_ssize_t q, Py_ssize_t n) {
    if (run->at == q) return;
    run->at = q;
    run->end = letters_end(s, q, n);
    Py_ssize_t len = run->end - q;
    run->key = len <= MAX_WORD_LEN ? pack(s + q, len, n - q) : 0;
    run->lists = len && len <= MAX_WORD_LEN ? lists_of(run->table, run->key) : 0;
}

/* GREETING[\s,]+[a-z]+ at q. A greeting followed by [\s,] is the whole letter run there. */
static Py_ssize_t match_greeting_at(const uint8_t *s, Py_ssize_t q, Py_ssize_t n, Run *run) {
    if (q >= n || !is_lower(s[q])) return -1;
    run_at(run, s, q, n);
    if (!(run->lists & GREETING)) return -1;
    Py_ssize_t r = run->end;
    Py_ssize_t gap = r;
    while (r < n && (s[r] == ',' || is_space_at(s, r, n))) r += char_len(s, r, n);
    if (r == gap || r >= n || !is_lower(s[r])) return -1;
    return letters_end(s, r, n);
}

/* (?:PLEASANT(?:[^a-z]+|$))+ at q. An alternative followed by a non-letter (or the end) is the
 * whole letter run there, so each repetition is: the run is a pleasantry, then every non-letter
 * after it. */
static Py_ssize_t match_pleasant_at(const uint8_t *s, Py_ssize_t q, Py_ssize_t n, Run *run) {
    Py_ssize_t end = -1;
    while (q < n && is_lower(s[q])) {
        run_at(run, s, q, n);
        if (!(run->lists & PLEASANT)) break;
        q = run->end;
        while (q < n && !is_lower(s[q])) q++; /* bytes of other characters are never a-z */
        end = q;
    }
    return end;
}

/* ,\s*[a-z]+[.!] : a lone word closing a sentence. */
static Py_ssize_t match_closing(const uint8_t *s, Py_ssize_t p, Py_ssize_t n) {
    Py_ssize_t r = p + 1;
    while (r < n && is_space_at(s, r, n)) r += char_len(s, r, n);
    if (r >= n || !is_lower(s[r])) return -1;
    r = letters_end(s, r, n);
    return r < n && (s[r] == '.' || s[r] == '!') ? r + 1 : -1;
}

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* One word into the hash: its bytes 8 at a time, then its length, so the words (not only their
 * letters) decide the hash. `key`: the word's bytes when it has at most 8. */
static inline uint64_t add_word(uint64_t h, const uint8_t *w, Py_ssize_t len, Py_ssize_t room,
                                uint64_t key) {
    if (len <= 8) {
        h = rotl(h ^ key, 29) * 0x9E3779B97F4A7C15ULL;
    } else {
        for (Py_ssize_t i = 0; i < len; i += 8) {
            Py_ssize_t take = len - i < 8 ? len - i : 8;
            h = rotl(h ^ pack(w + i, take, room - i), 29) * 0x9E3779B97F4A7C15ULL;
        }
    }
    return rotl(h ^ (uint64_t)len, 31) * 0xC2B2AE3D27D4EB4FULL;
}

static inline uint64_t mix64(uint64_t h) {
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

typedef struct {
    Py_buffer offsets, data, out, valid;
} Buffers;

static void release(Buffers *b) {
    if (b->offsets.obj) PyBuffer_Release(&b->offsets);
    if (b->data.obj) PyBuffer_Release(&b->data);
    if (b->out.obj) PyBuffer_Release(&b->out);
    if (b->valid.obj) PyBuffer_Release(&b->valid);
}

/* Offset i of n + 1, held as int64 (wide) or int32 values. */
static inline int64_t offset_at(const void *off, int wide, Py_ssize_t i) {
    return wide ? ((const int64_t *)off)[i] : ((const int32_t *)off)[i];
}

/* The offsets must rise and stay within the data. */
static int check_offsets(const void *off, int wide, Py_ssize_t n, Py_ssize_t data_len) {
    for (Py_ssize_t i = 0; i <= n; i++) {
        int64_t at = offset_at(off, wide, i);
        if (at < 0 || at > data_len || (i && at < offset_at(off, wide, i - 1))) return -1;
    }
    return 0;
}

static PyObject *canned_hashes(PyObject *self, PyObject *args) {
    Buffers b = {0};
    Py_buffer gw = {0}, pw = {0};
    int min_words;
    if (!PyArg_ParseTuple(args, "y*y*w*w*y*y*i", &b.offsets, &b.data, &b.out, &b.valid, &gw, &pw,
                          &min_words))
        return NULL;
    PyObject *result = NULL;
    WordTable table; /* per call: two batches run at once */
    Py_ssize_t n = b.offsets.len / 8 - 1;
    const int64_t *off = (const int64_t *)b.offsets.buf;
    if (n < 0 || b.out.len < n * 8 || b.valid.len < n) {
        PyErr_SetString(PyExc_ValueError, "canned_hashes: buffers of different lengths");
        goto done;
    }
    memset(&table, 0, sizeof table);
    if (add_words(&table, gw.buf, gw.len, GREETING) || add_words(&table, pw.buf, pw.len, PLEASANT)) {
        PyErr_SetString(PyExc_ValueError, "canned_hashes: words must be 1-8 letters a-z, at most 64");
        goto done;
    }
    if (check_offsets(off, 1, n, b.data.len)) {
        PyErr_SetString(PyExc_ValueError, "canned_hashes: offsets outside the data");
        goto done;
    }
    const uint8_t *data = (const uint8_t *)b.data.buf;
    uint64_t *out = (uint64_t *)b.out.buf;
    uint8_t *valid = (uint8_t *)b.valid.buf;
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t row = 0; row < n; row++) {
        const uint8_t *s = data + off[row];
        Py_ssize_t len = (Py_ssize_t)(off[row + 1] - off[row]);
        /* Left to right, as replace_all does: at each position the alternatives of the step in
         * order (a handle, a token with a digit, a greeting and whom, a closing word,
         * pleasantries); a match is cut out (a word boundary), and the runs of letters in
         * between are the template's words, hashed as they come. */
        uint64_t h = 0x243F6A8885A308D3ULL;
        int words = 0;
        Token token = {-1, -1};
        Run run = {&table, -1, -1, 0, 0};
        Py_ssize_t p = 0;
        while (p < len) {
            uint8_t c = s[p];
            Py_ssize_t e = c == '@' ? match_handle(s, p, len) : -1;
            if (e < 0) e = match_number(s, p, len, &token);
            if (e < 0 && (p == 0 || !is_lower(c))) {
                /* (?:^|[^a-z]) before a greeting or pleasantries: the start, else this
                 * character. */
                Py_ssize_t after = p + char_len(s, p, len);
                if (p == 0) e = match_greeting_at(s, 0, len, &run);
                if (e < 0 && !is_lower(c)) e = match_greeting_at(s, after, len, &run);
                if (e < 0 && c == ',') e = match_closing(s, p, len);
                if (e < 0 && p == 0) e = match_pleasant_at(s, 0, len, &run);
                if (e < 0 && !is_lower(c)) e = match_pleasant_at(s, after, len, &run);
            }
            if (e > p) {
                p = e;
            } else if (is_lower(c)) {
                /* Nothing starts inside the rest of this letter run: the later letters are not
                 * the start, and the token's digits (none from p on) are not after them. */
                run_at(&run, s, p, len);
                h = add_word(h, s + p, run.end - p, len - p, run.key);
                words++;
                p = run.end;
            } else {
                p += char_len(s, p, len);
            }
        }
        valid[row] = words >= min_words;
        out[row] = valid[row] ? mix64(h ^ (uint64_t)words) : 0;
    }
    Py_END_ALLOW_THREADS;
    result = Py_None;
    Py_INCREF(result);
done:
    release(&b);
    PyBuffer_Release(&gw);
    PyBuffer_Release(&pw);
    return result;
}

/* The handles of one text (MENTION's groups) joined by single spaces, written to `out` if not
 * NULL; their length in bytes. */
static int64_t row_mentions(const uint8_t *s, Py_ssize_t len, uint8_t *out) {
    int64_t used = 0;
    Py_ssize_t p = 0;
    while (p + 1 < len) {
        const uint8_t *at = memchr(s + p, '@', (size_t)(len - p - 1));
        if (!at) break;
        p = at - s;
        if (!is_handle_char(s[p + 1])) {
            p++;
            continue;
        }
        Py_ssize_t e = p + 1;
        while (e < len && is_handle_char(s[e])) e++;
        if (used) {
            if (out) out[used] = ' ';
            used++;
        }
        if (out) memcpy(out + used, s + p + 1, (size_t)(e - p - 1));
        used += e - p - 1;
        p = e;
    }
    return used;
}

static PyObject *mentions(PyObject *self, PyObject *args) {
    Buffers b = {0};
    if (!PyArg_ParseTuple(args, "y*y*w*", &b.offsets, &b.data, &b.out)) return NULL;
    /* out: n + 1 int64 offsets into the bytes returned. Counted first, so the bytes are exactly
     * as many as the mentions need (a buffer as large as the text, freed at once, would stay
     * with the allocator). */
    PyObject *result = NULL;
    Py_ssize_t n = b.offsets.len / 8 - 1;
    const int64_t *off = (const int64_t *)b.offsets.buf;
    if (n < 0 || b.out.len < (n + 1) * 8) {
        PyErr_SetString(PyExc_ValueError, "mentions: buffers of different lengths");
        goto done;
    }
    if (check_offsets(off, 1, n, b.data.len)) {
        PyErr_SetString(PyExc_ValueError, "mentions: offsets outside the data");
        goto done;
    }
    const uint8_t *data = (const uint8_t *)b.data.buf;
    int64_t *out_off = (int64_t *)b.out.buf;
    int64_t total = 0;
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t row = 0; row < n; row++) {
        out_off[row] = total;
        total += row_mentions(data + off[row], (Py_ssize_t)(off[row + 1] - off[row]), NULL);
    }
    out_off[n] = total;
    Py_END_ALLOW_THREADS;
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (!result) goto done;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t row = 0; row < n; row++)
        row_mentions(data + off[row], (Py_ssize_t)(off[row + 1] - off[row]), out + out_off[row]);
    Py_END_ALLOW_THREADS;
done:
    release(&b);
    return result;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static inline int two_digits(const uint8_t *s, int *v) {
    if (!is_digit(s[0]) || !is_digit(s[1])) return 0;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

static int name_index(const uint8_t *s, const char *names, int count) {
    for (int i = 0; i < count; i++)
        if (memcmp(s, names + 3 * i, 3) == 0) return i;
    return -1;
}

/* Seconds since the epoch of a date written exactly as the Twitter dataset writes it,
 * "Tue Oct 31 22:10:47 +0000 2017" (strftime's "%a %b %d %H:%M:%S %z %Y"); 0 if the text is not
 * exactly that (then the caller's general parser decides). */
static int parse_twcs_time(const uint8_t *s, Py_ssize_t len, double *out) {
    static const char days[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':' || s[19] != ' ' || (s[20] != '+' && s[20] != '-') || s[25] != ' ')
        return 0;
    int month = name_index(s + 4, months, 12);
    int day, hour, minute, second, off_h, off_m, y_hi, y_lo;
    if (name_index(s, days, 7) < 0 || month < 0 || !two_digits(s + 8, &day) ||
        !two_digits(s + 11, &hour) || !two_digits(s + 14, &minute) ||
        !two_digits(s + 17, &second) || !two_digits(s + 21, &off_h) ||
        !two_digits(s + 23, &off_m) || !two_digits(s + 26, &y_hi) || !two_digits(s + 28, &y_lo))
        return 0;
    int year = y_hi * 100 + y_lo;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int last = month_days[month] + (month == 1 && leap);
    if (year < 1000 || day < 1 || day > last || hour > 23 || minute > 59 || second > 59 ||
        off_h > 23 || off_m > 59)
        return 0;
    int64_t offset = (int64_t)off_h * 3600 + off_m * 60;
    int64_t t = days_from_civil(year, month + 1, day) * 86400 + hour * 3600 + minute * 60 + second;
    *out = (double)(s[20] == '+' ? t - offset : t + offset);
    return 1;
}

static PyObject *twcs_times(PyObject *self, PyObject *args) {
    Buffers b = {0};
    int wide;
    if (!PyArg_ParseTuple(args, "y*y*w*w*p", &b.offsets, &b.data, &b.out, &b.valid, &wide))
        return NULL;
    /* offsets: n + 1 int64 (wide) or int32 values; out: n doubles; valid: n bytes. */
    PyObject *result = NULL;
    Py_ssize_t width = wide ? 8 : 4, n = b.offsets.len / width - 1;
    if (n < 0 || b.out.len < n * 8 || b.valid.len < n) {
        PyErr_SetString(PyExc_ValueError, "twcs_times: buffers of different lengths");
        goto done;
    }
    const void *off = b.offsets.buf;
    if (check_offsets(off, wide, n, b.data.len)) {
        PyErr_SetString(PyExc_ValueError, "twcs_times: offsets outside the data");
        goto done;
    }
    const uint8_t *data = (const uint8_t *)b.data.buf;
    double *out = (double *)b.out.buf;
    uint8_t *valid = (uint8_t *)b.valid.buf;
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t row = 0; row < n; row++) {
        int64_t start = offset_at(off, wide, row), end = offset_at(off, wide, row + 1);
        out[row] = 0;
        valid[row] = (uint8_t)parse_twcs_time(data + start, (Py_ssize_t)(end - start), out + row);
    }
    Py_END_ALLOW_THREADS;
    result = Py_None;
    Py_INCREF(result);
done:
    release(&b);
    return result;
}

static PyMethodDef methods[] = {
    {"twcs_times", twcs_times, METH_VARARGS, "twcs_times(offsets, data, out, valid, wide)"},
    {"canned_hashes", canned_hashes, METH_VARARGS,
     "canned_hashes(offsets, data, out, valid, greetings, pleasantries, min_words)"},
    {"mentions", mentions, METH_VARARGS, "mentions(offsets, data, out_offsets) -> bytes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_textkernel",
    .m_doc = "Single-pass text kernels of the reply traits.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__textkernel(void) { return PyModule_Create(&module); }
