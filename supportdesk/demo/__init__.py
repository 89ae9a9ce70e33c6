"""Demo data for trying the desk: `supportdesk seed-demo`."""
