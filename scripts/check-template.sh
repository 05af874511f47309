#!/usr/bin/env bash
# Checks template.yaml the way docs/design.md ("Checks") says, offline and without an AWS account:
#   1. sam validate --lint   (SAM's own schema + cfn-lint on the transformed template)
#   2. IAM after SAM's transform (no AWS managed policy, no '*' resource)
#   3. cfn-lint              (plus the serverless rules when cfn-lint-serverless is installed)
#   4. checkov               (every failed check fixed, or skipped inline with its reason)
#   5. sam build             (into a throw-away directory; checks every native library is arm64)
# Run from the repository root: bash scripts/check-template.sh [TEMPLATE]   (default template.yaml)
# Needs .venv-sam (aws-sam-cli + cfn-lint), .venv-checkov and a python3.13 on PATH (pyenv's, see PYENV_VERSION).
# Nothing here talks to AWS; `sam build` may fetch wheels from the package registry.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TEMPLATE="${1:-template.yaml}"
SAM=.venv-sam/bin/sam
CFN_LINT=.venv-sam/bin/cfn-lint
SAM_PYTHON=.venv-sam/bin/python
CHECKOV=.venv-checkov/bin/checkov

# No prompts, no telemetry, no region or credential look-ups against AWS.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
export AWS_EC2_METADATA_DISABLED=true
export SAM_CLI_TELEMETRY=0
# The layer and functions are built for python3.13; pyenv provides it next to 3.11/3.12.
export PYENV_VERSION="${PYENV_VERSION:-3.11.7:3.12.1:3.13.0}"

for tool in "$SAM" "$CFN_LINT" "$SAM_PYTHON" "$CHECKOV"; do
  if [[ ! -x "$tool" ]]; then
    echo "check-template: $tool not found; \`make template-check\` installs it" >&2
    exit 1
  fi
done

workdir="$(mktemp -d "${TMPDIR:-/tmp}/circleback-check.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT

total_start=$(date +%s.%N)
step_start=0
step() {
  step_start=$(date +%s.%N)
  echo
  echo "==> $*"
}
done_step() {
  local now
  now=$(date +%s.%N)
  printf '    ok (%.1f s)\n' "$(echo "$now - $step_start" | bc)"
}

step "sam validate --lint --template $TEMPLATE"
"$SAM" validate --lint --template "$TEMPLATE"
done_step

step "IAM after SAM's transform: no AWS managed policy, no '*' resource in any role"
# SAM adds AWS managed policies (logs and queues on "*") to the roles it generates; the functions name their
# own roles so that it adds none. This reads the transformed template, offline, to check that it did not.
"$SAM_PYTHON" - "$TEMPLATE" <<'PY'
import json
import re
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):  # SAM asks for this only for a managed policy named in Policies: there must be none
        sys.exit("check-template: a function names an AWS managed policy")


# Objects whose names are not known in advance: SES names each received message by its own id, so the inbound
# role reads and deletes under the receipt rule's prefix (tests/template/test_template.py WILDCARD_EXCEPTIONS).
OBJECT_PREFIXES = {("InboundFunctionRole", "ReadAndDeleteReceivedMail")}

text = open(sys.argv[1], encoding="utf-8").read()
# The transform wants S3 locations where sam build would put them; the paths do not matter here.
text = re.sub(r"^(\s+(?:CodeUri|ContentUri): )(?!s3://)(\S+)", r"\1s3://bucket/\2", text, flags=re.M)
resources = transform(yaml_parse(text), {}, NoManagedPolicies())["Resources"]
roles = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
bad = [f"{name}: ManagedPolicyArns {props['ManagedPolicyArns']}" for name, props in roles.items() if props.get("ManagedPolicyArns")]
for name, resource in resources.items():
    props = resource.get("Properties") or {}
    documents = [p["PolicyDocument"] for p in props.get("Policies") or []] if resource["Type"] == "AWS::IAM::Role" else []
    if resource["Type"] in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        documents.append(props["PolicyDocument"])
    for document in documents:
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        for statement in statements:
            found = statement.get("Resource")
            if (name, statement.get("Sid")) in OBJECT_PREFIXES:
                continue
            if "*" in json.dumps(found, sort_keys=True).replace('"Fn::GetAtt"', ""):
                bad.append(f"{name}: {statement.get('Sid', statement.get('Action'))} on {json.dumps(found)}")
print(f"    {len(roles)} roles checked: {', '.join(sorted(roles))}")
if bad:
    sys.exit("check-template: least privilege broken after the transform:\n  " + "\n  ".join(bad))
PY
done_step

if "$SAM_PYTHON" -c 'import cfn_lint_serverless' 2>/dev/null; then
  step "cfn-lint $TEMPLATE (with the serverless rules)"
  "$CFN_LINT" --append-rules cfn_lint_serverless.rules -- "$TEMPLATE"
else
  step "cfn-lint $TEMPLATE"
  echo "    WARNING: cfn-lint-serverless is not installed in .venv-sam: the serverless rules are NOT checked"
  "$CFN_LINT" -- "$TEMPLATE"
fi
# Rules skipped inline (Metadata cfn-lint ignore_checks) pass silently: list them, with their reasons.
"$SAM_PYTHON" - "$TEMPLATE" <<'PY'
import re
import sys

resource = None
for line in open(sys.argv[1], encoding="utf-8"):
    if m := re.match(r"^  ([A-Za-z0-9]+):\s*$", line):
        resource = m.group(1)
    elif m := re.match(r"^\s+- ([A-Z]+\d+)\s*#\s*(.*)$", line):
        print(f"    suppressed {m.group(1)} on {resource}: {m.group(2)}")
PY
done_step

step "checkov -f $TEMPLATE (offline)"
# --skip-download: no call home for guidelines; the checks themselves ship with the package.
"$CHECKOV" --quiet --compact --skip-download --framework cloudformation -f "$TEMPLATE"
# Skips are inline (Metadata checkov skip, each with a comment): list them, with their reasons.
"$SAM_PYTHON" - "$TEMPLATE" <<'PY'
import re
import sys

resource, check = None, None
for line in open(sys.argv[1], encoding="utf-8"):
    if m := re.match(r"^  ([A-Za-z0-9]+):\s*$", line):
        resource = m.group(1)
    elif m := re.match(r"^\s+- id: (CKV\w+)\s*$", line):
        check = m.group(1)
    elif (m := re.match(r'^\s+comment: "(.*)"\s*$', line)) and check:
        print(f"    skipped {check} on {resource}: {m.group(1)}")
        check = None
PY
done_step

step "sam build --template $TEMPLATE (python3.13 / arm64, build dir under $workdir)"
if ! command -v python3.13 >/dev/null 2>&1; then
  echo "check-template: python3.13 is not on PATH (PYENV_VERSION=$PYENV_VERSION); sam build needs it" >&2
  exit 1
fi
echo "    python3.13: $(command -v python3.13) ($(python3.13 --version 2>&1))"
# --no-cached: the build directory is thrown away, and a cached build would leave
# .aws-sam/deps behind in the working tree (samconfig.toml's cached = true is for
# developers' own `sam build`).
"$SAM" build \
  --no-cached \
  --template "$TEMPLATE" \
  --build-dir "$workdir/build"
done_step

step "built artifacts: every native library is aarch64 (arm64); no local-only package in the layer"
# Reads the ELF header of every shared object in the build: e_machine 183 is AArch64.
"$SAM_PYTHON" - "$workdir/build" <<'PY'
import pathlib
import struct
import sys

root = pathlib.Path(sys.argv[1])
if not (root / "template.yaml").is_file():
    sys.exit(f"check-template: no built template in {root}")
bad, count = [], 0
for so in sorted(root.rglob("*.so*")):
    if not so.is_file():
        continue
    head = so.read_bytes()[:20]
    if head[:4] != b"\x7fELF":
        continue
    count += 1
    endian = "<" if head[5] == 1 else ">"
    (machine,) = struct.unpack(endian + "H", head[18:20])
    if machine != 183:
        bad.append(f"{so.relative_to(root)} (e_machine={machine})")
for artifact in sorted(p for p in root.iterdir() if p.is_dir()):
    size = sum(f.stat().st_size for f in artifact.rglob("*") if f.is_file())
    print(f"    {artifact.name}: {size / 1e6:.1f} MB unzipped")
print(f"    {count} native libraries checked")
if bad:
    sys.exit("check-template: native libraries not built for arm64:\n  " + "\n  ".join(bad))
# The command line and the local tools are installed with the package, never shipped in the layer.
shipped = [p.relative_to(root) for p in root.glob("*/python/circleback/*") if p.name in ("cli", "local")]
if shipped:
    sys.exit(f"check-template: local-only packages in the layer: {', '.join(map(str, shipped))}")
print("    the layer holds no circleback/cli or circleback/local")
PY
done_step

printf '\ncheck-template: all checks passed (%.1f s)\n' "$(echo "$(date +%s.%N) - $total_start" | bc)"
