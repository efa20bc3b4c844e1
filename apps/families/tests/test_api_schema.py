"""The families endpoints are in the OpenAPI schema, the slips as a PDF download."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator


def test_the_families_endpoints_are_in_the_schema() -> None:
    # when the schema is generated
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    # then every families endpoint is there with its methods
    assert set(paths["/api/v1/schools/{school_id}/families/"]) >= {"get"}
    assert set(paths["/api/v1/families/results/{id}/informed/"]) >= {"get", "post"}
    assert set(paths["/api/v1/families/informed/{id}/"]) >= {"delete"}
    assert set(paths["/api/v1/families/overview/"]) >= {"get"}
    # and the slips answer a PDF, with the class as a parameter
    slips = paths["/api/v1/families/results/{id}/slips.pdf"]["get"]
    assert "application/pdf" in slips["responses"]["200"]["content"]
    assert [p["name"] for p in slips["parameters"] if p["in"] == "query"] == ["class"]
