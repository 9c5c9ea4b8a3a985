"""Ask the framework's questions in a terminal, one at a time, with Rich prompts.

Used by `warroom assess` and by `warroom declare --assess`. A question whose `ask_if` cannot hold
given the answers so far is skipped (no "which customers?" after "no customers are affected").
"?" or an empty answer means "I don't know": the assessment then assumes the worse case.
The end of input (Ctrl-D) stops the questions; those not asked count as unknown.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.prompt import Prompt

from warroom.errors import InputError
from warroom.severity.answers import Answers, AnswerValue, answer_hint, parse_answer
from warroom.severity.assess import answer_domains, could_hold
from warroom.severity.models import Framework, Question


def ask_answers(
    framework: Framework,
    console: Console,
    *,
    given: Answers | None = None,
    stream: TextIO | None = None,
) -> Answers:
    """Ask every question not already answered in `given`; return all the answers."""
    answers = dict((given or Answers()).values)
    domains = answer_domains(framework)
    console.print(
        f"[bold]Sizing the incident[/bold] with {framework.name}. "
        "Answer [bold]?[/bold] (or press Enter) when you do not know."
    )
    for question in framework.questions:
        if answers.get(question.id) is not None:
            continue
        condition = framework.ask_if_condition(question)
        known = {key: value for key, value in answers.items() if value is not None}
        if condition is not None and not could_hold(condition, known, domains):
            continue
        try:
            answers[question.id] = _ask(question, console, stream)
        except EOFError:  # Ctrl-D, or piped answers ran out: assess with what we have
            console.print("\n[dim]No more answers: the remaining questions count as unknown.[/dim]")
            break
    return Answers(values=answers)


def _ask(question: Question, console: Console, stream: TextIO | None) -> AnswerValue | None:
    if question.help:
        console.print(f"[dim]{question.help}[/dim]")
    while True:
        typed = Prompt.ask(
            f"{question.prompt} [cyan]({answer_hint(question)})[/cyan]",
            console=console,
            default="?",
            show_default=False,
            stream=stream,
        )
        try:
            return parse_answer(question, typed)
        except InputError as error:
            console.print(f"[red]{error.one_line()}[/red]")
