"""The compiled part of beancan: the single-pass text kernels of the reply traits (see
docs/decisions/0001-audit-engine.md, fifth round). Everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "beancan.care._textkernel",
            ["src/beancan/care/_textkernel.c"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
        )
    ]
)
