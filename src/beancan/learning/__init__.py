"""Learning from the team: agents' corrections of triage, and each workspace's refitted model."""
