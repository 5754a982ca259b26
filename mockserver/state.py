"""What the running app holds: its settings and the current store (swapped whole on reload)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fixtures import DEFAULT_FIXTURES, Dataset, load_dataset
from mockserver.settings import Settings
from mockserver.store import Store


def load_dataset_for(settings: Settings) -> Dataset:
    """The dataset the settings name: a fixtures file, a generated one, or the committed default."""
    if settings.members is not None:
        from fixtures.generator import generate_dataset  # only needed for --members

        return generate_dataset(
            courses=settings.courses, members=settings.members, seed=settings.seed
        )
    return load_dataset(settings.fixtures or DEFAULT_FIXTURES)


@dataclass
class AppState:
    """The settings and the store the handlers read; `store` is swapped whole on reload."""

    settings: Settings
    store: Store
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def load(cls, settings: Settings) -> AppState:
        """Load and index the dataset (raises FixtureError for a bad file)."""
        return cls(settings, Store(load_dataset_for(settings)), random.Random(settings.seed))
