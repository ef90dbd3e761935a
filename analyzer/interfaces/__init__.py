"""How users and agents reach the engine: the command line, the agent hook, the MCP server and the GitHub Action."""
