"""`python -m adapters.cli ...` is `spacetraders ...` (how the CLI starts its own background processes)."""
from adapters.cli.main import cli

# Guarded: worker processes are spawned and re-import the main module, which must not run the CLI again.
if __name__ == "__main__":
    cli(prog_name="spacetraders")
