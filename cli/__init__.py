"""The councilkg command line (placeholder, replaced below)."""
import click

@click.group()
def main():
    """councilkg."""
