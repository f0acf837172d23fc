"""The rules of the rare earth chain. Standard library only."""
