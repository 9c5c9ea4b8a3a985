"""The audiences an incident is communicated to: a closed list shared by severity and comms."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    """Who hears about an incident: a closed list, as comms renders one update per audience."""

    RESPONDERS = "responders"
    INCIDENT_MANAGEMENT = "incident_management"
    EXECUTIVES = "executives"
    CUSTOMER_SUPPORT = "customer_support"
    PUBLIC_RELATIONS = "public_relations"
    CUSTOMERS = "customers"
    PARTNERS = "partners"

    @property
    def label(self) -> str:
        return {
            Audience.RESPONDERS: "responders",
            Audience.INCIDENT_MANAGEMENT: "incident-management team",
            Audience.EXECUTIVES: "executives",
            Audience.CUSTOMER_SUPPORT: "customer support",
            Audience.PUBLIC_RELATIONS: "public relations",
            Audience.CUSTOMERS: "customers",
            Audience.PARTNERS: "partners",
        }[self]
