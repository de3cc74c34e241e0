"""A formatted citation of a document, as the API shows it."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


class CitationHtml(BaseModel):
    citation: str
    bibliography: str


class CitationPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "document": _TELEGRAM,
                    "style": "chicago",
                    "style_title": "Chicago Manual of Style 18th edition (notes and bibliography)",
                    "citation": "W. Averell Harriman, to Secretary of State, September 24, 1944, "
                    "in Foreign Relations of the United States, Diplomatic Papers, 1944, Volume "
                    "IV, Europe, telegram no. 3652 (United States Government Printing Office), "
                    "711.62114/9–2444, Department of State central files, 1253–1254.",
                    "bibliography": "Harriman, W. Averell. To Secretary of State, September 24, "
                    "1944. In Foreign Relations of the United States, …",
                    "html": {"citation": "W. Averell Harriman, …", "bibliography": "Harriman, …"},
                    "csl": {"id": _TELEGRAM, "type": "personal_communication"},
                }
            ]
        }
    )

    document: str
    style: str = Field(description="chicago or mla")
    style_title: str = Field(description="the CSL style's own title (edition)")
    citation: str = Field(
        description="Chicago: the full footnote; MLA: the in-text citation (plain text)"
    )
    bibliography: str = Field(description="the bibliography / works-cited entry (plain text)")
    html: CitationHtml = Field(description="both forms as HTML (titles in <i>)")
    csl: dict[str, Any] = Field(description="the CSL-JSON item the citation was made from")
