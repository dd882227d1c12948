"""Follow-up surveys (CSAT and NPS) after a conversation is resolved."""
