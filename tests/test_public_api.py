"""The public face: `wa_async.__all__` lists exactly the public names, each with a docstring."""

import inspect

import wa_async as wa


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
