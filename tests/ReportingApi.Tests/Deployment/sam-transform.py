"""Prints the CloudFormation template that the SAM transform makes of a template: what `sam deploy` would create.

Uses cfn-lint's own wrapper of aws-sam-translator (the transform cfn-lint lints), so the tests see the same
resources as the linter. Usage: python3 sam-transform.py TEMPLATE [REGION]; exits non-zero with the errors.
"""
import json
import sys

from cfnlint.decode import decode
from cfnlint.template.transforms._sam import Transform

path = sys.argv[1]
region = sys.argv[2] if len(sys.argv) > 2 else "eu-central-1"
template, problems = decode(path)
if not problems:
    transform = Transform(path, template, region)
    problems = transform.transform_template()
if problems:
    sys.exit("\n".join(str(problem) for problem in problems))
json.dump(transform.template(), sys.stdout, indent=1, default=str)
