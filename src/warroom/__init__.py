"""warroom: an incident-response workbench.

Size the incident, keep the record, investigate the evidence, communicate, learn blamelessly.
"""

__version__ = "0.1.0"
