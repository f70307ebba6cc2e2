"""The public face: `wa_async.__all__` lists exactly the public names, each with a docstring."""

import inspect
from types import ModuleType

import pytest

import wa_async as wa
import wa_async.resources


def _isort(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("module", [wa, wa.webhooks, wa.resources, wa.errors, wa.messages, wa.emulator])
def test_every_namespace_has_a_sorted_all_of_real_names(module: ModuleType) -> None:
    names = list(module.__all__)
    assert names == sorted(names, key=_isort)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(module, name), f"{module.__name__}.{name}"


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name, value in vars(wa).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name not in {"annotations", "importlib"}
        and name not in {"TYPE_CHECKING", "Any", "version", "PackageNotFoundError"}
    }
    assert public <= set(wa.__all__), public - set(wa.__all__)
    for name in wa.__all__:
        assert hasattr(wa, name), name


def test_public_classes_and_functions_have_docstrings() -> None:
    for name in wa.__all__:
        value = getattr(wa, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_version_from_metadata() -> None:
    assert wa.__version__ and wa.__version__[0].isdigit()
