from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def make_list_words(value: str) -> list[str]:
    return value.split()
