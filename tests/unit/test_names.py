"""Unit tests for modelreg.domain.names: project paths/names, model names, tags, descriptions."""

from __future__ import annotations

import random
import unicodedata

import pytest

from modelreg.domain.names import (
    DESCRIPTION_MAX,
    MODEL_NAME_MAX,
    PROJECT_NAME_MAX,
    PROJECT_PATH_MAX,
    TAG_KEY_MAX,
    TAG_VALUE_MAX,
    validate_description,
    validate_model_name,
    validate_project_name,
    validate_project_path,
    validate_tag,
    validate_tags,
)
from modelreg.errors import ErrorCode, InvalidArgument


def _ids(values: list[str]) -> list[str]:
    return [repr(v)[:40] for v in values]


def test_limits_are_the_documented_ones() -> None:
    assert (PROJECT_PATH_MAX, PROJECT_NAME_MAX, MODEL_NAME_MAX) == (100, 255, 255)
    assert (TAG_KEY_MAX, TAG_VALUE_MAX, DESCRIPTION_MAX) == (250, 5000, 100_000)


# --------------------------------------------------------------------------------------------
# validate_project_path

VALID_PATHS = [
    "fraud-detection",
    "a",
    "0",
    "ml",
    "ml.team_1",
    "churn-2024.v2",
    "a-b_c.d",
    "9lives",
    "a" * PROJECT_PATH_MAX,
]


@pytest.mark.parametrize("path", VALID_PATHS, ids=_ids(VALID_PATHS))
def test_project_path_accepts(path: str) -> None:
    assert validate_project_path(path) == path


INVALID_PATHS = [
    "Fraud",
    "fraudDetection",
    "-fraud",
    "fraud-",
    ".fraud",
    "fraud.",
    "_fraud",
    "fraud_",
    "fraud detection",
    " fraud",
    "fraud ",
    "fraud/detection",
    "group/project",
    "fraud:1",
    "fraud@champion",
    "fraud#1",
    "fraud?x",
    "fraud%20",
    "modèle",
    "\uff46raud",  # fullwidth f
    "fraud\x00",
    "fraud\n",
    "fra\tud",
    "fraud\x7f",
    "-",
    ".",
    "..",
    "_",
    " ",
]


@pytest.mark.parametrize("path", INVALID_PATHS, ids=_ids(INVALID_PATHS))
def test_project_path_rejects_bad_characters_and_ends(path: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_path(path)
    err = caught.value
    assert err.field == "path"
    assert err.code is ErrorCode.INVALID_ARGUMENT
    assert "lowercase letters, digits" in err.message
    assert "start and end with a letter or digit" in err.message
    assert f"got '{path}'" in err.message


def test_project_path_rejects_empty() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_path("")
    assert caught.value.field == "path"
    assert "Project path must not be empty" in caught.value.message


def test_project_path_rejects_too_long() -> None:
    path = "a" * (PROJECT_PATH_MAX + 1)
    with pytest.raises(InvalidArgument) as caught:
        validate_project_path(path)
    assert caught.value.field == "path"
    assert f"{PROJECT_PATH_MAX + 1} characters long" in caught.value.message
    assert f"limit is {PROJECT_PATH_MAX}" in caught.value.message


def test_project_path_reports_the_given_field() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_path("Bad Path", field="newPath")
    assert caught.value.field == "newPath"


# --------------------------------------------------------------------------------------------
# validate_project_name

VALID_PROJECT_NAMES = [
    "Fraud Detection",
    "churn",
    "modèle",
    "Модели",
    "数据科学",
    "ML team (2024) \u2013 experiments",
    "x" * PROJECT_NAME_MAX,
]


@pytest.mark.parametrize("name", VALID_PROJECT_NAMES, ids=_ids(VALID_PROJECT_NAMES))
def test_project_name_accepts(name: str) -> None:
    assert validate_project_name(name) == name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Fraud  ", "Fraud"), ("\tChurn models\n", "Churn models"), (" a b ", "a b")],
)
def test_project_name_is_stripped(raw: str, expected: str) -> None:
    assert validate_project_name(raw) == expected


def test_project_name_length_counts_after_stripping() -> None:
    name = "x" * PROJECT_NAME_MAX
    assert validate_project_name(f"  {name}  ") == name


@pytest.mark.parametrize("name", ["", " ", "   ", "\t", "\n", " \t\r\n "], ids=repr)
def test_project_name_rejects_empty_and_whitespace(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_name(name)
    assert caught.value.field == "name"
    assert "Project name must not be empty" in caught.value.message


def test_project_name_rejects_too_long() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_name("x" * (PROJECT_NAME_MAX + 1))
    assert caught.value.field == "name"
    assert f"{PROJECT_NAME_MAX + 1} characters long" in caught.value.message
    assert f"limit is {PROJECT_NAME_MAX}" in caught.value.message


CONTROL_CHARS = [
    ("\x00", "U+0000"),
    ("\x01", "U+0001"),
    ("\t", "U+0009"),
    ("\n", "U+000A"),
    ("\r", "U+000D"),
    ("\x1b", "U+001B"),
    ("\x7f", "U+007F"),
    ("\x85", "U+0085"),
    ("\u200b", "U+200B"),  # zero-width space (format character)
    ("\u202e", "U+202E"),  # right-to-left override
    ("\ufeff", "U+FEFF"),
    ("\ud800", "U+D800"),  # lone surrogate
    ("\ue000", "U+E000"),  # private use
]


@pytest.mark.parametrize(("char", "codepoint"), CONTROL_CHARS, ids=[c for _, c in CONTROL_CHARS])
def test_project_name_rejects_control_characters(char: str, codepoint: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_name(f"Fraud{char}Detection")
    assert caught.value.field == "name"
    assert "Project name must not contain" in caught.value.message
    assert f"the control character {codepoint}" in caught.value.message


def test_project_name_reports_the_given_field() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_project_name("", field="input.name")
    assert caught.value.field == "input.name"


# --------------------------------------------------------------------------------------------
# validate_model_name

VALID_MODEL_NAMES = [
    "churn",
    "Churn Model v2",
    "fraud_detector-1.0",
    "modèle",
    "Модель",
    "模型",
    "モデル",
    "모델",
    "1",
    "a",
    "2024",
    "a b",
    "a.b_c-d e",
    "a  b",
    "x" * MODEL_NAME_MAX,
]


@pytest.mark.parametrize("name", VALID_MODEL_NAMES, ids=_ids(VALID_MODEL_NAMES))
def test_model_name_accepts(name: str) -> None:
    assert validate_model_name(name) == name


FORBIDDEN_MODEL_CHARS = [
    ("a/b", "'/'"),
    ("a:b", "':'"),
    ("a@b", "'@'"),
    ("churn@champion", "'@'"),
    ("models:/churn", "':'"),
    ("a\\b", "'\\'"),
    ("a#b", "'#'"),
    ("a?b", "'?'"),
    ("a%b", "'%'"),
    ("a+b", "'+'"),
    ("a*b", "'*'"),
    ("a'b", "'''"),
    ('a"b', "'\"'"),
    ("a<b", "'<'"),
    ("a,b", "','"),
    ("a\x00b", "the control character U+0000"),
    ("a\nb", "the control character U+000A"),
    ("a\rb", "the control character U+000D"),
    ("a\tb", "the control character U+0009"),
    ("a\x7fb", "the control character U+007F"),
    ("a\x1bb", "the control character U+001B"),
    ("a\u200bb", "the control character U+200B"),
    ("a\u202eb", "the control character U+202E"),
    ("a\ud800b", "the control character U+D800"),
]


@pytest.mark.parametrize(
    ("name", "described"), FORBIDDEN_MODEL_CHARS, ids=_ids([n for n, _ in FORBIDDEN_MODEL_CHARS])
)
def test_model_name_rejects_forbidden_characters(name: str, described: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_model_name(name)
    err = caught.value
    assert err.field == "name"
    assert err.code is ErrorCode.INVALID_ARGUMENT
    assert f"Model name must not contain {described};" in err.message
    assert "use letters, digits, spaces, '.', '_' and '-'" in err.message


@pytest.mark.parametrize("name", ["", " ", "   ", "\t", "\n", " \n\t "], ids=repr)
def test_model_name_rejects_empty_and_whitespace(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_model_name(name)
    assert caught.value.field == "name"
    assert "Model name must not be empty" in caught.value.message


BAD_ENDS = [
    " churn",
    "churn ",
    "  churn  ",
    "-churn",
    "churn-",
    ".churn",
    "churn.",
    "_churn",
    "churn_",
    "churn v2 ",
    "-",
    ".",
    "..",
    "_",
    "a.",
    ".1",
]


@pytest.mark.parametrize("name", BAD_ENDS, ids=_ids(BAD_ENDS))
def test_model_name_rejects_leading_or_trailing_punctuation(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_model_name(name)
    assert caught.value.field == "name"
    assert "Model name must start and end with a letter or a digit" in caught.value.message


@pytest.mark.parametrize("length", [MODEL_NAME_MAX + 1, 1000])
def test_model_name_rejects_too_long(length: int) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_model_name("m" * length)
    assert caught.value.field == "name"
    assert f"{length} characters long" in caught.value.message
    assert f"limit is {MODEL_NAME_MAX}" in caught.value.message


def test_model_name_length_is_checked_before_characters() -> None:
    with pytest.raises(InvalidArgument, match="characters long"):
        validate_model_name("a/" * 200)


def test_model_name_reports_the_given_field() -> None:
    for bad in ("", "a/b", "-a", "a" * 300):
        with pytest.raises(InvalidArgument) as caught:
            validate_model_name(bad, field="newName")
        assert caught.value.field == "newName"


def test_model_name_random_allowed_names_pass_and_forbidden_chars_fail() -> None:
    rng = random.Random(1234)
    inner = "abcXYZ019é模 ._-"
    ends = "aZ9é模"
    forbidden = "/:@#?%&=+*\\\"'<>|,;!$()[]{}~`^\x00\n\t\x7f\u200b"
    for _ in range(2000):
        middle = "".join(rng.choice(inner) for _ in range(rng.randrange(0, 20)))
        name = rng.choice(ends) + middle + rng.choice(ends)
        assert validate_model_name(name) == name
        pos = rng.randrange(0, len(name) + 1)
        bad = name[:pos] + rng.choice(forbidden) + name[pos:]
        with pytest.raises(InvalidArgument) as caught:
            validate_model_name(bad)
        assert caught.value.field == "name"
        assert "must not contain" in caught.value.message


@pytest.mark.parametrize(
    "name",
    [unicodedata.normalize("NFD", "modèle"), "हिन्दी", "สวัสดี"],
    ids=["nfd-modele", "devanagari", "thai"],
)
def test_model_name_accepts_letters_with_combining_marks(name: str) -> None:
    validate_model_name(name)


# --------------------------------------------------------------------------------------------
# validate_tag / validate_tags

VALID_TAGS = [
    ("team", "growth"),
    ("k", ""),
    ("owner.email", "a@b.example"),
    ("mlflow.source.type", "LOCAL"),
    ("équipe", "données"),
    ("key with spaces", "value"),
    ("notes", "line 1\nline 2\ttabbed"),
    ("k" * TAG_KEY_MAX, "v"),
    ("k", "v" * TAG_VALUE_MAX),
]


@pytest.mark.parametrize(("key", "value"), VALID_TAGS, ids=_ids([k for k, _ in VALID_TAGS]))
def test_tag_accepts(key: str, value: str) -> None:
    assert validate_tag(key, value) == (key, value)


@pytest.mark.parametrize("key", ["", " ", "\t", "  \n "], ids=repr)
def test_tag_rejects_empty_key(key: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tag(key, "value")
    assert caught.value.field == "tags"
    assert "Tag key must not be empty" in caught.value.message


def test_tag_rejects_too_long_key() -> None:
    key = "k" * (TAG_KEY_MAX + 1)
    with pytest.raises(InvalidArgument) as caught:
        validate_tag(key, "value")
    message = caught.value.message
    assert caught.value.field == "tags"
    assert f"{TAG_KEY_MAX + 1} characters long" in message
    assert f"limit is {TAG_KEY_MAX}" in message
    assert "k" * 40 in message  # names the key...
    assert key not in message  # ...without echoing all of it


def test_tag_rejects_too_long_value() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tag("notes", "v" * (TAG_VALUE_MAX + 1))
    message = caught.value.message
    assert caught.value.field == "tags"
    assert "Value of tag 'notes'" in message
    assert f"{TAG_VALUE_MAX + 1} characters long" in message
    assert f"limit is {TAG_VALUE_MAX}" in message


@pytest.mark.parametrize(("char", "codepoint"), CONTROL_CHARS, ids=[c for _, c in CONTROL_CHARS])
def test_tag_rejects_control_characters_in_key(char: str, codepoint: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tag(f"te{char}am", "growth")
    assert caught.value.field == "tags"
    assert "Tag key" in caught.value.message
    assert f"must not contain the control character {codepoint}" in caught.value.message


def test_tag_reports_the_given_field() -> None:
    for key, value in [("", "v"), ("k" * 300, "v"), ("a\x00", "v"), ("k", "v" * 6000)]:
        with pytest.raises(InvalidArgument) as caught:
            validate_tag(key, value, field="versionTags")
        assert caught.value.field == "versionTags"


@pytest.mark.parametrize("value", ["a\x00b", "\ud800"], ids=["nul", "lone-surrogate"])
def test_tag_rejects_values_the_database_cannot_store(value: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tag("k", value)
    assert caught.value.field == "tags"


def test_tags_returns_a_dict_in_input_order() -> None:
    tags = [("team", "growth"), ("env", "prod"), ("a", "")]
    result = validate_tags(tags)
    assert result == {"team": "growth", "env": "prod", "a": ""}
    assert list(result) == ["team", "env", "a"]


def test_tags_accepts_empty_list() -> None:
    assert validate_tags([]) == {}


@pytest.mark.parametrize(
    "tags",
    [
        [("team", "growth"), ("team", "growth")],
        [("team", "growth"), ("env", "prod"), ("team", "risk")],
    ],
)
def test_tags_rejects_duplicate_keys(tags: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tags(tags)
    assert caught.value.field == "tags"
    assert "Tag 'team' is given twice" in caught.value.message


def test_tags_validates_every_tag() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tags([("ok", "1"), ("", "2")])
    assert "Tag key must not be empty" in caught.value.message
    with pytest.raises(InvalidArgument) as caught:
        validate_tags([("ok", "1"), ("big", "x" * (TAG_VALUE_MAX + 1))])
    assert "Value of tag 'big'" in caught.value.message


def test_tags_reports_the_given_field() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_tags([("a", "1"), ("a", "2")], field="modelTags")
    assert caught.value.field == "modelTags"
    with pytest.raises(InvalidArgument) as caught:
        validate_tags([("", "1")], field="modelTags")
    assert caught.value.field == "modelTags"


# --------------------------------------------------------------------------------------------
# validate_description


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A model card.",
        "# Churn\n\n| metric | value |\n|---|---|\n| auc | 0.91 |\n",
        "tabs\tand\r\nCRLF",
        "modèle 模型 🚀",
        "d" * DESCRIPTION_MAX,
    ],
    ids=["empty", "plain", "markdown", "whitespace", "unicode", "max"],
)
def test_description_accepts(text: str) -> None:
    assert validate_description(text) == text


def test_description_rejects_too_long() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_description("d" * (DESCRIPTION_MAX + 1))
    assert caught.value.field == "description"
    assert f"{DESCRIPTION_MAX + 1} characters long" in caught.value.message
    assert f"limit is {DESCRIPTION_MAX}" in caught.value.message
    assert len(caught.value.message) < 200


def test_description_reports_the_given_field() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_description("d" * (DESCRIPTION_MAX + 1), field="modelCard")
    assert caught.value.field == "modelCard"


@pytest.mark.parametrize("text", ["card\x00", "\udfff"], ids=["nul", "lone-surrogate"])
def test_description_rejects_text_the_database_cannot_store(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_description(text)
    assert caught.value.field == "description"
