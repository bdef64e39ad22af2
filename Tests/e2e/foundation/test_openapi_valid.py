"""The OpenAPI document a live server serves at /openapi.json is a valid OpenAPI 3.1
document by an independent validator (openapi-spec-validator), so generators, Swagger UI
and fuzzers can consume it as served."""

import copy

import pytest
import requests
from openapi_spec_validator import OpenAPIV31SpecValidator

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def errors_of(spec):
    try:
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
                for e in OpenAPIV31SpecValidator(spec).iter_errors()]
    except Exception as error:  # a $ref to nowhere is raised, not yielded
        return [f"{type(error).__name__}: {str(error)[:300]}"]


@pytest.fixture
def served(arbiter):
    response = requests.get(arbiter.url + "/openapi.json", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def test_served_document_is_valid_openapi_3_1(served):
    assert served["openapi"].startswith("3.1."), served["openapi"]
    assert served["paths"], "the document lists no paths"
    problems = errors_of(served)
    assert problems == [], "\n".join(problems)


def test_operation_ids_are_unique_and_path_parameters_declared(served):
    seen = {}
    for path, item in served["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            operation_id = operation.get("operationId")
            assert operation_id, f"{method.upper()} {path} has no operationId"
            assert operation_id not in seen, f"{operation_id}: {seen.get(operation_id)} and {method.upper()} {path}"
            seen[operation_id] = f"{method.upper()} {path}"
            assert operation.get("responses"), f"{method.upper()} {path} documents no response"


def test_validator_catches_a_broken_copy(served):
    # The validator must not be a rubber stamp: the same document with a dangling $ref,
    # an undeclared path parameter or a wrong type is refused.
    dangling = copy.deepcopy(served)
    path, item = next(iter(dangling["paths"].items()))
    method = next(m for m in item if m in HTTP_METHODS)
    item[method]["responses"]["599"] = {"$ref": "#/components/responses/NoSuchResponse"}
    assert errors_of(dangling)

    undeclared = copy.deepcopy(served)
    undeclared["paths"]["/p2-selfcheck/{thing}"] = {"get": {"operationId": "p2SelfCheck", "responses": {"200": {"description": "ok"}}}}
    assert errors_of(undeclared)

    wrong_type = copy.deepcopy(served)
    wrong_type["info"]["title"] = 42
    assert errors_of(wrong_type)
