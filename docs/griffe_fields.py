"""A Griffe extension for the API reference: record classes show their fields, and msgspec structs their signature.

wa_async's values are msgspec structs (messages, webhook events, resource results), dataclasses, NamedTuples and a
TypedDict. Their fields rarely carry a docstring of their own (the class docstring describes them in prose), so
mkdocstrings, which shows only documented members, would hide them; and a msgspec struct's ``__init__`` is made at
run time, so static analysis sees no signature. For each such class this extension

- gives a msgspec struct or a NamedTuple an ``__init__`` with the constructor's real parameters (names, kinds and
  defaults from ``inspect.signature``), which ``merge_init_into_class`` shows as the class signature; except in the
  ``read_only`` modules (webhook events: the library parses them, a user only reads them);
- adds a ``Fields:`` section to the class docstring where the signature does not say it all (no signature, or a
  field with a docstring of its own): the class's own fields (and those of its private bases) in constructor order,
  with their annotation (as the source writes it, so the reference links it) and docstring (then taken off the
  member, so the field is not shown twice), followed by the public base classes whose fields it has too;
- shows a plain alias of such a class (``ContactName = Name``) as the class itself, fields and all.

Field names, order and kinds come from the imported class (the truth), annotations and default expressions from the
source (what the reader should see). mkdocs.yml loads it (``extensions:`` of the python handler).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import typing
from collections.abc import Sequence
from typing import Any

import griffe
import msgspec

_KINDS: dict[inspect._ParameterKind, griffe.ParameterKind] = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
}
Member = griffe.Attribute | griffe.Alias


def _fields(runtime: object) -> list[str] | None:
    """The field names of a record class in constructor order, or None when ``runtime`` is no record class."""
    if not isinstance(runtime, type):
        return None
    if issubclass(runtime, msgspec.Struct):
        return list(inspect.signature(runtime).parameters)
    if dataclasses.is_dataclass(runtime):
        return [field.name for field in dataclasses.fields(runtime)]
    if issubclass(runtime, tuple) and hasattr(runtime, "_fields"):
        return list(runtime._fields)
    if typing.is_typeddict(runtime):
        return list(runtime.__annotations__)
    return None


def _path(runtime: type) -> str:
    return f"{runtime.__module__}.{runtime.__qualname__}"


def _default(attribute: Member | None, runtime_default: Any) -> str | griffe.Expr:
    """The default as the source writes it; ``msgspec.field(default=x)`` shows ``x``, a ``default_factory=f``
    shows ``f()``; the runtime value's repr when the source has none."""
    value = attribute.value if attribute is not None else None
    if isinstance(value, griffe.ExprCall) and str(value.function).split(".")[-1] == "field":
        arguments = {arg.name: arg.value for arg in value.arguments if isinstance(arg, griffe.ExprKeyword)}
        if "default" in arguments:
            return arguments["default"]
        factory = arguments.get("default_factory")
        if isinstance(factory, griffe.Expr):
            return griffe.ExprCall(function=factory, arguments=[])
    elif value is not None:
        return value
    return repr(runtime_default)


def _alias_classes(module: griffe.Module) -> None:
    for name, member in list(module.members.items()):
        if member.is_alias:
            continue
        if isinstance(member, griffe.Module):
            _alias_classes(member)
        elif (isinstance(member, griffe.Attribute) and member.annotation is None
              and isinstance(member.value, griffe.ExprName | griffe.ExprAttribute)):  # fmt: skip
            try:
                runtime = griffe.dynamic_import(member.path)
            except ImportError:
                continue
            if _fields(runtime) is not None and runtime.__module__.startswith("wa_async"):
                module.set_member(name, griffe.Alias(name, _path(runtime), parent=module))


class RecordFields(griffe.Extension):
    """Show the fields of record classes, and the signature of msgspec structs and NamedTuples.

    Args:
        public_modules: The modules whose ``__all__`` names the public classes: a field of a public base class
            is listed there, and its subclasses link to it.
        read_only: Modules whose structs get no signature, as a user never builds them.
    """

    def __init__(self, public_modules: Sequence[str] = ("wa_async",), read_only: Sequence[str] = ()) -> None:
        super().__init__()
        self._public_modules = tuple(public_modules)
        self._read_only = tuple(read_only)
        self._public: set[type] | None = None
        self._descriptions: dict[str, str] = {}  # a field's docstring, kept when it is taken off the member

    def _is_public(self, runtime: type) -> bool:
        if self._public is None:
            self._public = set()
            for name in self._public_modules:
                module = importlib.import_module(name)
                exported = (getattr(module, name) for name in module.__all__)
                self._public |= {obj for obj in exported if isinstance(obj, type)}
        return runtime in self._public

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Show a plain alias of a record class (``ContactName = Name``) as the class, with its fields."""
        if pkg.path == "wa_async":
            _alias_classes(pkg)

    def on_class(self, *, cls: griffe.Class, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if not cls.path.startswith("wa_async"):
            return
        try:
            runtime = griffe.dynamic_import(cls.path)
        except ImportError:
            return
        names = _fields(runtime)
        if not names:
            return
        members = cls.all_members
        attributes: dict[str, Member | None] = {name: members.get(name) for name in names}  # type: ignore[misc]
        read_only = any(cls.path.startswith(prefix + ".") for prefix in self._read_only)
        signature = dataclasses.is_dataclass(runtime)  # griffe gives a dataclass its __init__
        if not (read_only or signature or "__init__" in cls.members or typing.is_typeddict(runtime)):
            self._add_init(cls, runtime, attributes)
            signature = True
        self._add_fields_section(cls, runtime, loader, attributes, always=not signature)

    def _inherited_from(self, runtime: type, name: str) -> type | None:
        """The nearest public base class that has the field ``name`` too, if any."""
        for base in runtime.__mro__[1:]:
            if self._is_public(base) and name in (_fields(base) or ()):
                return base
        return None

    def _add_fields_section(
        self,
        cls: griffe.Class,
        runtime: type,
        loader: griffe.GriffeLoader,
        attributes: dict[str, Member | None],
        *,
        always: bool,
    ) -> None:
        """Add the section; unless ``always``, only when a field has a description the signature lacks."""
        own = []
        bases: dict[type, None] = {}
        for name, attribute in attributes.items():
            if name.startswith("_"):
                continue  # private, like the members the reference filters out
            base = self._inherited_from(runtime, name)
            if base is not None:
                bases[base] = None
                continue
            description = ""
            annotation = None
            if attribute is not None:
                key = attribute.canonical_path
                if attribute.docstring is not None:
                    self._descriptions[key] = attribute.docstring.value
                    if not attribute.is_alias:
                        attribute.docstring = None  # shown in the section, not again as a member
                description = self._descriptions.get(key, "")
                annotation = attribute.annotation
            own.append(griffe.DocstringAttribute(name, description=description, annotation=annotation))
        if not always and not any(field.description for field in own):
            return  # the signature shows every field and its type
        if cls.docstring is None:
            cls.docstring = griffe.Docstring(
                "", parent=cls, parser=loader.docstring_parser, parser_options=loader.docstring_options
            )
        sections = cls.docstring.parsed
        # After the description, before Examples or other sections the docstring has.
        at = next((i for i, s in enumerate(sections) if s.kind is not griffe.DocstringSectionKind.text), len(sections))
        added: list[griffe.DocstringSection] = []
        if own:
            added.append(griffe.DocstringSectionAttributes(own, title="Fields:"))
        if bases:
            links = " and ".join(f"[`{base.__name__}`][{_path(base)}]" for base in bases)
            added.append(griffe.DocstringSectionText(f"{'And the' if own else 'The'} fields of {links}."))
        sections[at:at] = added

    @staticmethod
    def _add_init(cls: griffe.Class, runtime: type, attributes: dict[str, Member | None]) -> None:
        parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for name, parameter in inspect.signature(runtime).parameters.items():
            attribute = attributes.get(name)
            default = None
            if parameter.default is not inspect.Parameter.empty:
                default = _default(attribute, parameter.default)
            parameters.append(
                griffe.Parameter(
                    name,
                    annotation=attribute.annotation if attribute is not None else None,
                    kind=_KINDS[parameter.kind],
                    default=default,
                )
            )
        init = griffe.Function(
            "__init__", lineno=0, endlineno=0, parent=cls, parameters=griffe.Parameters(*parameters), returns="None"
        )
        cls.set_member("__init__", init)
