#!/usr/bin/env bash
# The single test command: installs what the tests need (every tests/install/*.sh, in name order), then runs all
# test projects of the solution. Each project's pass/fail counts are printed as it finishes; the last line is the
# total, "N passed, M failed" (", K skipped" when some were), which CI reads. Exits non-zero on any failure.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

configuration=Release
results_dir=tests/TestResults
console_log=$results_dir/console.log
# A test that hangs is stopped (and counted as failed) instead of eating CI's time.
hang_timeout=15m

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The summary lines parsed below are the test runner's English ones.
export DOTNET_CLI_UI_LANGUAGE=en

summary() {
  local passed=$1 failed=$2 skipped=$3
  if ((skipped > 0)); then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
}

echo "== Installing test dependencies"
mapfile -t install_scripts < <(find tests/install -maxdepth 1 -type f -name '*.sh' | LC_ALL=C sort)
for script in "${install_scripts[@]}"; do
  echo "-- $script"
  if ! bash "$script"; then
    echo "run.sh: $script failed; no tests were run." >&2
    summary 0 1 0
    exit 1
  fi
done

echo "== Running tests ($configuration)"
rm -rf "$results_dir"
mkdir -p "$results_dir"
set +e
dotnet test ReportingApi.sln -c "$configuration" \
  --results-directory "$results_dir" \
  --logger "console;verbosity=minimal" \
  --logger trx \
  --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none \
  2>&1 | tee "$console_log"
test_status=${PIPESTATUS[0]}
set -e

# One line per test project, e.g. "Passed!  - Failed:     0, Passed:    27, Skipped:     0, Total:    27, Duration: ...".
passed=0 failed=0 skipped=0 projects=0
project_line='(Passed|Failed)!  *- Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+), Total: *([0-9]+)'
while IFS= read -r line; do
  if [[ $line =~ $project_line ]]; then
    failed=$((failed + BASH_REMATCH[2]))
    passed=$((passed + BASH_REMATCH[3]))
    skipped=$((skipped + BASH_REMATCH[4]))
    projects=$((projects + 1))
  fi
done < <(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$console_log")

echo "== $projects test project(s) reported; results in $results_dir"
if ((test_status != 0 && failed == 0)); then
  # A build error, a crashed or hung test host, or a project that could not run: a failure no test reported.
  echo "run.sh: dotnet test exited with $test_status although no test reported a failure; counted as 1 failure." >&2
  failed=1
fi

summary "$passed" "$failed" "$skipped"
if ((failed > 0)); then
  exit 1
fi
