"""The command line: main, the parser, one module per command, the action, generators."""
