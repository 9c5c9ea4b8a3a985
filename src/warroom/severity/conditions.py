"""The rule language: small boolean expressions over the framework's questions.

A condition reads like Python: `customer_facing and scope == "all"`, `failing_share >= 0.5`,
`scope in ("all", "subset")`, `not workaround`. It is parsed with `ast` and only a small subset
is accepted: `and`, `or`, `not`, comparisons (`== != < <= > >= in`, `not in`, chained), names of
declared questions, `true` / `false`, numbers and strings. Nothing is ever passed to `eval`.

Every comparison sets one question against constants, and names are type-checked against the
question they refer to (a choice compared with a value that is not one of its choices is an
error). That keeps the outcome of a condition a function of finitely many regions of each
answer, which is what lets the assessment try every possibility of an unknown answer.
"""

from __future__ import annotations

import ast
import difflib
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Value = bool | int | float | str
QUESTION_TYPES = ("yes_no", "choice", "number")
_BOOL_NAMES = {"true": True, "false": False, "True": True, "False": False}
_COMPARE: dict[type[ast.cmpop], Callable[[Value, object], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,  # type: ignore[operator]
    ast.LtE: lambda a, b: a <= b,  # type: ignore[operator]
    ast.Gt: lambda a, b: a > b,  # type: ignore[operator]
    ast.GtE: lambda a, b: a >= b,  # type: ignore[operator]
    ast.In: lambda a, b: a in b,  # type: ignore[operator]
    ast.NotIn: lambda a, b: a not in b,  # type: ignore[operator]
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MEMBERSHIP = (ast.In, ast.NotIn)


class ConditionError(ValueError):
    """A condition that is not valid in the rule language; the message says why."""


@dataclass(frozen=True)
class QuestionSpec:
    """What the rule language needs to know about a question: its id, type and choices."""

    id: str
    type: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A checked, compiled condition. `names` are the questions it reads."""

    text: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str]
    numbers: Mapping[str, frozenset[float]] = field(repr=False, compare=False)

    def evaluate(self, answers: Mapping[str, Value]) -> bool:
        """The condition's value; `answers` must hold every name in `names`."""
        return bool(_evaluate(self.tree.body, answers))

    def possibilities(
        self, known: Mapping[str, Value], domains: Mapping[str, Sequence[Value]]
    ) -> Iterator[tuple[dict[str, Value], bool]]:
        """Each way of filling in the unknown names (from `domains`) and the outcome of each."""
        missing = sorted(self.names - known.keys())
        for combination in itertools.product(*(domains[name] for name in missing)):
            assumed = dict(zip(missing, combination, strict=True))
            yield assumed, self.evaluate({**known, **assumed})


def compile_condition(text: str, questions: Mapping[str, QuestionSpec]) -> Condition:
    """Parse and type-check `text`; raise ConditionError with a plain explanation if invalid."""
    # YAML block scalars keep line breaks; a condition is one expression whatever its layout.
    one_line = " ".join(text.strip().splitlines())
    try:
        tree = ast.parse(one_line, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"not a valid condition: {exc.msg} in {text.strip()!r}") from exc
    checker = _Checker(questions)
    checker.require_bool(tree.body)
    numbers = {name: frozenset(values) for name, values in checker.numbers.items()}
    return Condition(text=text, tree=tree, names=frozenset(checker.names), numbers=numbers)


class _Checker:
    """Walks the tree once: refuses anything outside the language and records what it reads."""

    def __init__(self, questions: Mapping[str, QuestionSpec]) -> None:
        self.questions = questions
        self.names: set[str] = set()
        self.numbers: dict[str, set[float]] = {}

    def kind(self, node: ast.expr) -> str:
        """'bool' for a yes/no expression, else the type of the question a name refers to."""
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.require_bool(value)
            return "bool"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.require_bool(node.operand)
            return "bool"
        if isinstance(node, ast.Compare):
            self._check_compare(node)
            return "bool"
        if isinstance(node, ast.Name):
            if node.id in _BOOL_NAMES:
                return "bool"
            question_type = self._question(node.id).type
            return "bool" if question_type == "yes_no" else question_type
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return "bool"
        raise ConditionError(f"{_source(node)!r} is not allowed here; {_LANGUAGE_HINT}")

    def require_bool(self, node: ast.expr) -> None:
        kind = self.kind(node)
        if kind == "bool":
            return
        example = {"number": f"{_source(node)} >= 0.5", "choice": f'{_source(node)} == "..."'}
        raise ConditionError(
            f"{_source(node)!r} is a {kind} question, not yes/no; compare it, "
            f"for example {example.get(kind, _source(node))}"
        )

    def _question(self, name: str) -> QuestionSpec:
        if name not in self.questions:
            close = difflib.get_close_matches(name, list(self.questions), n=1)
            advice = f"; did you mean {close[0]!r}?" if close else ""
            raise ConditionError(f"unknown question {name!r}{advice}")
        self.names.add(name)
        return self.questions[name]

    def _check_compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for operand in operands:
            if not isinstance(
                operand, ast.Name | ast.Constant | ast.Tuple | ast.List | ast.UnaryOp
            ):
                raise ConditionError(
                    f"{_source(operand)!r} is not allowed in a comparison; compare a question "
                    "with fixed values"
                )
        names = {operand.id for operand in operands if _is_question(operand)}  # type: ignore[attr-defined]
        if len(names) != 1:
            raise ConditionError(
                f"{_source(node)!r} must compare exactly one question with fixed values"
            )
        question = self._question(names.pop())
        for operator, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if _is_question(left):
                self._check_pair(question, operator, right, node)
            elif _is_question(right) and not isinstance(operator, _MEMBERSHIP):
                self._check_pair(question, operator, left, node)
            else:
                raise ConditionError(
                    f"each comparison in {_source(node)!r} must have {question.id} on its "
                    "left (or, except for 'in', on its right)"
                )

    def _check_pair(
        self, question: QuestionSpec, operator: ast.cmpop, other: ast.expr, whole: ast.expr
    ) -> None:
        if isinstance(operator, _MEMBERSHIP):
            if question.type != "choice":
                raise ConditionError(f"'in' works on choice questions only: {_source(whole)!r}")
            values = _constant_list(other, whole)
        else:
            values = [_constant(other, whole)]
        for value in values:
            self._check_value(question, operator, value, whole)

    def _check_value(
        self, question: QuestionSpec, operator: ast.cmpop, value: Value, whole: ast.expr
    ) -> None:
        where = f"in {_source(whole)!r}"
        if question.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConditionError(f"{question.id} is a number; compare it with a number {where}")
            self.numbers.setdefault(question.id, set()).add(float(value))
        elif isinstance(operator, _ORDERING):
            raise ConditionError(
                f"{question.id} is a {question.type} question; use == or != {where}"
            )
        elif question.type == "yes_no" and not isinstance(value, bool):
            raise ConditionError(f"{question.id} is yes/no; compare it with true or false {where}")
        elif question.type == "choice" and value not in question.choices:
            listed = ", ".join(question.choices)
            raise ConditionError(f"{value!r} is not a choice of {question.id} ({listed}) {where}")


_LANGUAGE_HINT = (
    "use question names, and/or/not, comparisons (== != < <= > >= in) and constants "
    '(numbers, "strings", true, false)'
)


def _is_question(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id not in _BOOL_NAMES


def _constant(node: ast.expr, whole: ast.expr) -> Value:
    if isinstance(node, ast.Name) and node.id in _BOOL_NAMES:
        return _BOOL_NAMES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant(node.operand, whole)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
        return node.value
    raise ConditionError(f"{_source(node)!r} is not a fixed value in {_source(whole)!r}")


def _constant_list(node: ast.expr, whole: ast.expr) -> list[Value]:
    if not isinstance(node, ast.Tuple | ast.List):
        raise ConditionError(f'\'in\' needs a list such as ("all", "subset"): {_source(whole)!r}')
    return [_constant(element, whole) for element in node.elts]


def _source(node: ast.AST) -> str:
    return ast.unparse(node)


def _evaluate(node: ast.expr, answers: Mapping[str, Value]) -> object:
    evaluator = _EVALUATORS.get(type(node))
    if evaluator is None:  # the checker refuses such a node long before
        raise ConditionError(f"cannot evaluate {_source(node)!r}")
    return evaluator(node, answers)


def _bool_op(node: ast.BoolOp, answers: Mapping[str, Value]) -> bool:
    values = (_evaluate(value, answers) for value in node.values)
    return all(values) if isinstance(node.op, ast.And) else any(values)


def _unary(node: ast.UnaryOp, answers: Mapping[str, Value]) -> object:
    operand = _evaluate(node.operand, answers)
    return not operand if isinstance(node.op, ast.Not) else -operand  # type: ignore[operator]


def _compare(node: ast.Compare, answers: Mapping[str, Value]) -> bool:
    operands = [_evaluate(operand, answers) for operand in (node.left, *node.comparators)]
    pairs = zip(node.ops, operands, operands[1:], strict=False)
    return all(_COMPARE[type(op)](left, right) for op, left, right in pairs)  # type: ignore[arg-type]


def _name(node: ast.Name, answers: Mapping[str, Value]) -> object:
    return _BOOL_NAMES[node.id] if node.id in _BOOL_NAMES else answers[node.id]


def _sequence(node: ast.Tuple | ast.List, answers: Mapping[str, Value]) -> tuple[object, ...]:
    return tuple(_evaluate(element, answers) for element in node.elts)


def _constant_value(node: ast.Constant, answers: Mapping[str, Value]) -> object:
    return node.value


_EVALUATORS: dict[type[ast.expr], Callable[[Any, Mapping[str, Value]], object]] = {
    ast.BoolOp: _bool_op,
    ast.UnaryOp: _unary,
    ast.Compare: _compare,
    ast.Name: _name,
    ast.Tuple: _sequence,
    ast.List: _sequence,
    ast.Constant: _constant_value,
}
