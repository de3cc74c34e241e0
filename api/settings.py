"""Configuration, read once from the environment (prefix ``QUELLEN_``) or a ``.env`` file.

Every field here is documented in the README's configuration table; a test keeps the two in
step so that an operator never meets a setting the documentation does not mention.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QUELLEN_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'quellen.sqlite'}",
        description="SQLAlchemy URL of the database: the embedded SQLite file by default, "
        "or e.g. postgresql+psycopg://postgres@127.0.0.1:5432/quellen.",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Folder holding the curated seed corpus loaded into an empty database.",
    )
    load_seed: bool = Field(
        default=True,
        description="Load the seed corpus from data_dir at start when the database holds no "
        "documents.",
    )
    host: str = Field(default="127.0.0.1", description="Address `quellen serve` listens on.")
    port: int = Field(default=8000, description="Port `quellen serve` listens on.")
    workers: int = Field(default=1, ge=1, description="Number of uvicorn worker processes.")
    root_path: str = Field(
        default="",
        description="Path prefix when served behind a reverse proxy under a sub-path "
        "(e.g. /quellen); used in every link the API returns.",
    )
    db_pool_size: int = Field(
        default=10, ge=1, description="Connections kept open per worker (PostgreSQL)."
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")


@lru_cache
def get_settings() -> Settings:
    """One Settings per process, so every module sees the same configuration."""
    return Settings()
