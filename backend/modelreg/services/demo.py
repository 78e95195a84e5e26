"""A demo project, so a newcomer sees a populated registry at once (`modelreg serve --demo`).

Built only from the ordinary services, so the demo data has events and obeys every rule. Versions
are created out of SemVer order on purpose: the registry shows them by precedence (`10.0.0` after
`9.10.0`, `1.0.0-rc.10` after `1.0.0-rc.2`, prereleases below their release).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.domain.actor import Actor
from modelreg.domain.policy import Visibility
from modelreg.services.models import create_model
from modelreg.services.projects import create_project, find_project_by_path
from modelreg.services.versions import create_version

DEMO_PROJECT_PATH = "demo"
DEMO_PROJECT_NAME = "Demo"

_PROJECT_DESCRIPTION = """\
A sample registry to look around in: four models from different teams, each with a model card,
tags and several versions. Versions were registered out of order on purpose; the registry always
lists them by [SemVer](https://semver.org) precedence.

Created by `modelreg serve --demo`. Delete the project whenever you like; it is created again
only if it is missing.
"""


@dataclass(frozen=True, slots=True)
class DemoVersion:
    version: str
    description: str
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DemoModel:
    name: str
    description: str
    tags: tuple[tuple[str, str], ...]
    versions: tuple[DemoVersion, ...]


DEMO_MODELS: tuple[DemoModel, ...] = (
    DemoModel(
        name="churn-classifier",
        tags=(("team", "growth"), ("task", "classification"), ("framework", "xgboost")),
        description="""\
# Churn classifier

Predicts the probability that a subscriber cancels within the next 30 days, so the growth team
can target retention offers.

## Intended use
- Weekly batch scoring of active subscribers; scores feed the retention campaign planner.
- **Not** for pricing or credit decisions.

## Training data
18 months of subscription events (2.3 M subscribers), features from billing, usage and support
tickets. Subscribers who left in the last 30 days of the window are the positive class (7.8 %).

## Evaluation (hold-out, latest release)
| metric | value |
|---|---|
| ROC AUC | 0.874 |
| PR AUC | 0.512 |
| recall @ 10 % flagged | 0.46 |

## Limitations
Calibrated on monthly plans; annual-plan churn is under-predicted. Re-train each quarter.

## Owners
Growth data science (`#growth-ds`).
""",
        versions=(
            DemoVersion(
                "1.0.0",
                "First production model: gradient-boosted trees on 42 features.",
                (("dataset", "subs-2023-q4"), ("validation_status", "approved")),
            ),
            DemoVersion(
                "1.2.0",
                "Adds support-ticket sentiment features; ROC AUC 0.861 → 0.874.",
                (("dataset", "subs-2024-q2"), ("validation_status", "approved")),
            ),
            DemoVersion(
                "1.1.0",
                "Back-filled release with usage-frequency features (registered late).",
                (("dataset", "subs-2024-q1"), ("validation_status", "approved")),
            ),
            DemoVersion(
                "2.0.0-rc.1",
                "Release candidate: LightGBM with target-encoded plan history. Under review.",
                (("dataset", "subs-2024-q3"), ("validation_status", "pending")),
            ),
            DemoVersion(
                "1.2.1",
                "Fixes a leakage bug in the `days_since_last_login` feature.",
                (("dataset", "subs-2024-q2"), ("validation_status", "approved")),
            ),
        ),
    ),
    DemoModel(
        name="fraud-detector",
        tags=(("team", "risk"), ("task", "anomaly-detection"), ("framework", "pytorch")),
        description="""\
# Fraud detector

Scores card-not-present transactions in real time; transactions above the threshold go to manual
review.

## Intended use
Online scoring behind the payments API (p99 latency budget 25 ms).

## Training data
Labelled chargebacks and analyst decisions, rolling 12 months, heavily imbalanced (0.21 %
fraud); negatives are down-sampled 1:50.

## Evaluation
| metric | value |
|---|---|
| precision @ review threshold | 0.63 |
| recall @ review threshold | 0.81 |
| cost saved vs. rules only | 38 % |

## Limitations
New merchants have no history for two weeks; the rules engine covers them meanwhile.
""",
        versions=(
            DemoVersion("9.4.0", "Autoencoder + gradient boosting ensemble.", (("region", "eu"),)),
            DemoVersion(
                "10.0.0",
                "New feature store schema (breaking: input signature changed).",
                (("region", "global"),),
            ),
            DemoVersion(
                "9.10.0",
                "Last 9.x release: merchant-category embeddings.",
                (("region", "eu"),),
            ),
            DemoVersion(
                "10.1.0-beta.2",
                "Beta: graph features from shared devices and cards.",
                (("region", "global"), ("experimental", "true")),
            ),
            DemoVersion(
                "9.9.1", "Threshold recalibration after the holiday peak.", (("region", "eu"),)
            ),
        ),
    ),
    DemoModel(
        name="demand-forecast",
        tags=(("team", "supply"), ("task", "forecasting"), ("framework", "prophet")),
        description="""\
# Demand forecast

Daily unit demand per store and product family, 28 days ahead, for replenishment orders.

## Intended use
Nightly batch forecasts consumed by the ordering system; planners may override.

## Training data
Three years of point-of-sale data for 412 stores, promotions calendar, public holidays and
weather.

## Evaluation (last 8 weeks, back-test)
| horizon | WAPE |
|---|---|
| 1-7 days | 11.8 % |
| 8-28 days | 17.3 % |

## Limitations
Not reliable for new products without 8 weeks of sales; use the category prior instead.
""",
        versions=(
            DemoVersion("0.9.0", "Per-store Prophet models with holiday effects."),
            DemoVersion(
                "0.10.0",
                "Global model with store embeddings; WAPE 13.1 % → 11.8 % (1-7 days).",
                (("backtest", "2024-w20"),),
            ),
            DemoVersion("0.9.1", "Fixes daylight-saving gaps in the hourly aggregation."),
            DemoVersion(
                "1.0.0-rc.2",
                "Release candidate with weather features.",
                (("backtest", "2024-w28"),),
            ),
            DemoVersion(
                "1.0.0-rc.10",
                "Release candidate after ten rounds of review; `rc.10` sorts after `rc.2`.",
                (("backtest", "2024-w30"),),
            ),
        ),
    ),
    DemoModel(
        name="sentiment-bert",
        tags=(("team", "nlp"), ("task", "text-classification"), ("framework", "transformers")),
        description="""\
# Sentiment BERT

Classifies customer reviews and support messages as negative, neutral or positive.

## Intended use
Dashboards and ticket routing. Not for decisions about individual customers.

## Model
`bert-base-multilingual-cased` fine-tuned on 120 k labelled reviews in English, German,
Korean and Japanese.

## Evaluation
| language | macro F1 |
|---|---|
| en | 0.89 |
| de | 0.86 |
| ko | 0.84 |
| ja | 0.83 |

## Status
Pre-release only: no stable version yet, so the latest version is the highest prerelease.
""",
        versions=(
            DemoVersion("1.0.0-beta.2", "Adds Korean and Japanese training data."),
            DemoVersion("1.0.0-alpha", "First fine-tune, English only."),
            DemoVersion(
                "1.0.0-beta.11",
                "Distilled to 6 layers; 2.1x faster at the same F1.",
                (("quantized", "int8"),),
            ),
            DemoVersion("1.0.0-alpha.1", "Adds German training data."),
        ),
    ),
)


async def seed_demo(session: AsyncSession, *, actor: Actor) -> bool:
    """Create the public `demo` project with its models and versions, if it does not exist.

    Returns False (and changes nothing) when a project with the path `demo` already exists.
    """
    if await find_project_by_path(session, path=DEMO_PROJECT_PATH) is not None:
        return False
    project = await create_project(
        session,
        actor=actor,
        path=DEMO_PROJECT_PATH,
        name=DEMO_PROJECT_NAME,
        description=_PROJECT_DESCRIPTION,
        visibility=Visibility.PUBLIC,
    )
    assert project.id is not None
    for spec in DEMO_MODELS:
        model = await create_model(
            session,
            actor=actor,
            project_id=project.id,
            name=spec.name,
            description=spec.description,
            tags=spec.tags,
        )
        assert model.id is not None
        for version in spec.versions:
            await create_version(
                session,
                actor=actor,
                model_id=model.id,
                version=version.version,
                description=version.description,
                tags=version.tags,
            )
    return True
