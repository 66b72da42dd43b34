"""Versioned prompt files (`prompts/<name>.v<N>.toml`) loaded into a strict model.

A prompt file holds the system text, named user templates (`$variable` placeholders, see
`string.Template`), the variables each template declares, few-shot examples and request
parameters. A placeholder that is not declared, a declared variable that is not used, and a
variable missing at render time are all errors (`LLMError`), never a silently empty prompt.
"""

from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from pipeline.core import LLMError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

Message = dict[str, str]
FENCE_OPEN, FENCE_CLOSE = "<<<REPORT", "REPORT>>>"


def fence(text: str) -> str:
    """Report text marked as data for the prompt. The markers cannot be forged from inside:
    any `<<<` or `>>>` in the text is replaced by look-alikes first (quotes from the text keep
    their position: the replacement has the same length)."""
    safe = text.replace("<<<", "‹‹‹").replace(">>>", "›››")
    return f"{FENCE_OPEN}\n{safe}\n{FENCE_CLOSE}"


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    template: str
    input: str
    output: str  # the JSON answer, as text
    tag: str | None = None  # shown only when rendering with this tag


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: int
    description: str
    system: str
    templates: dict[str, str]
    variables: dict[str, list[str]]
    examples: list[Example] = []
    params: dict[str, float | int | str | bool] = {}

    @model_validator(mode="after")
    def _check_variables(self) -> PromptFile:
        if set(self.templates) != set(self.variables):
            raise ValueError(f"templates {sorted(self.templates)} and variables {sorted(self.variables)} differ")
        for key, text in self.templates.items():
            tpl = string.Template(text)
            if not tpl.is_valid():
                raise ValueError(f"template {key!r} has an invalid placeholder")
            used = set(tpl.get_identifiers())
            if used != set(self.variables[key]):
                raise ValueError(f"template {key!r} uses {sorted(used)} but declares {sorted(self.variables[key])}")
        for ex in self.examples:
            if ex.template not in self.templates:
                raise ValueError(f"example for unknown template {ex.template!r}")
        return self

    @property
    def version_id(self) -> str:
        return f"{self.name}.v{self.version}"

    def render(self, template: str, /, tag: str | None = None, **variables: str) -> list[Message]:
        """System text, the matching few-shot pairs, then the filled user template."""
        if template not in self.templates:
            raise LLMError(f"prompt {self.version_id} has no template {template!r}", prompt=self.version_id)
        declared = set(self.variables[template])
        missing, extra = declared - set(variables), set(variables) - declared
        if missing or extra:
            raise LLMError(
                f"prompt {self.version_id}:{template} variables missing {sorted(missing)}, "
                f"undeclared {sorted(extra)}",
                prompt=self.version_id,
            )
        messages: list[Message] = [{"role": "system", "content": self.system}]
        for ex in self.examples:
            if ex.template == template and ex.tag in (None, tag):
                messages.append({"role": "user", "content": ex.input})
                messages.append({"role": "assistant", "content": ex.output})
        user = string.Template(self.templates[template]).substitute(variables)
        messages.append({"role": "user", "content": user})
        return messages


@lru_cache(maxsize=32)
def load_prompt(name: str, version: int, directory: Path = PROMPTS_DIR) -> PromptFile:
    path = directory / f"{name}.v{version}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LLMError(f"no prompt file {path}", path=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise LLMError(f"prompt file {path} is not valid TOML: {exc}", path=str(path)) from exc
    try:
        prompt = PromptFile.model_validate(data)
    except ValidationError as exc:
        raise LLMError(f"prompt file {path} is invalid: {exc}", path=str(path)) from exc
    if (prompt.name, prompt.version) != (name, version):
        raise LLMError(f"prompt file {path} says it is {prompt.version_id}", path=str(path))
    return prompt
