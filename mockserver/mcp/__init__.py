"""The fake's MCP server: Scenario's workflow and job tools, reaching the fake as its REST routes do."""
