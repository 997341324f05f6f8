"""The GitHub workflow files and action.yml pass actionlint, and action.yml
hands every input to the script that reads it. (actionlint reads
action.yml's inputs through the CI workflow's `uses: ./` step: it reports a
`with:` key the action does not declare.)"""

from __future__ import annotations

import re
import shutil
import tempfile
import unittest
from pathlib import Path

import yaml

from support import ROOT, git, run, show

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "action" / "alembic_doctor_action.py"


class WorkflowsTest(unittest.TestCase):
    def test_workflows_pass_actionlint(self):
        self.assertTrue(any(w.name == "release.yml" for w in WORKFLOWS), WORKFLOWS)
        result = run(["actionlint", "-no-color", *WORKFLOWS], cwd=ROOT)
        self.assertEqual(result.returncode, 0, show(result))

    def test_actionlint_checks_the_inputs_given_to_the_action(self):
        # The same CI workflow with a misspelt input is refused: actionlint
        # did read action.yml.
        with tempfile.TemporaryDirectory() as copy:
            copy = Path(copy)
            (copy / ".github" / "workflows").mkdir(parents=True)
            shutil.copy(ACTION, copy / "action.yml")
            ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
            self.assertIn("working-directory: examples/healthy", ci)
            bad = copy / ".github" / "workflows" / "ci.yml"
            bad.write_text(ci.replace("working-directory: examples/healthy", "workdir: examples/healthy"))
            # actionlint resolves `uses: ./` from the repository's root.
            git(copy, "init", "-q")
            result = run(["actionlint", "-no-color", bad], cwd=copy)
            self.assertEqual(result.returncode, 1, show(result))
            self.assertIn('input "workdir" is not defined in action', result.stdout)

    def test_action_passes_every_input_to_its_script(self):
        action = yaml.safe_load(ACTION.read_text())
        self.assertEqual(action["runs"]["using"], "composite")
        steps = action["runs"]["steps"]
        for step in steps:
            if "run" in step:
                self.assertIn("shell", step, step)
        report = next(s for s in steps if s.get("id") == "report")
        passed = {
            re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value).group(1): name
            for name, value in report["env"].items()
        }
        self.assertEqual(set(passed), set(action["inputs"]), "every input reaches the report step")
        script = SCRIPT.read_text()
        for input_name, variable in passed.items():
            if variable.startswith("INPUT_"):
                self.assertEqual(variable, "INPUT_" + input_name.upper().replace("-", "_"))
            self.assertIn(f'"{variable}"', script, f"the script reads {variable}")
        self.assertEqual(
            set(re.findall(r'env\("(INPUT_[A-Z_]+)"', script)),
            {v for v in passed.values() if v.startswith("INPUT_")},
            "the script reads no input action.yml does not pass",
        )
        for name, output in action["outputs"].items():
            match = re.fullmatch(r"\$\{\{ steps\.report\.outputs\.([a-z-]+) \}\}", output["value"])
            self.assertIsNotNone(match, name)
            self.assertEqual(match.group(1), name)
            self.assertIn(f'"{name.replace("-", "_")}"', script, f"the script writes {name}")


    def test_the_readme_documents_every_input_and_output(self):
        action = yaml.safe_load(ACTION.read_text())
        readme = (ROOT / "docs" / "ci.md").read_text()
        for name in action["inputs"]:
            self.assertIn(f"| `{name}` |", readme, f"docs/ci.md's table lacks the input {name}")
        for name in action["outputs"]:
            self.assertIn(f"`{name}`", readme, f"docs/ci.md lacks the output {name}")


if __name__ == "__main__":
    unittest.main()
