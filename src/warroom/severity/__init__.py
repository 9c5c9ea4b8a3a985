"""Severity: the framework (a YAML scale of levels and their response policy), the assessment
that suggests a level from a responder's answers, and what a level triggers.

Policy lives in YAML, not in code: `framework.load_framework` reads a preset or a team's file,
`assess.assess` runs the file's rules over `Answers`, `triggers.triggers` turns a level's
response policy into concrete times.
"""
