/// The OpenAPI 3.1 document, kept in the binary so `arbiter` stays one file. A test
/// compares its paths and methods with the router's, so a route cannot go undocumented.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Arbiter",
    "version": "0.1.0",
    "description": "Multi-tenant authorization server: a compiled policy engine over an LMDB entitlement graph, with OpenID Connect, device trust and SCIM around it. Errors on /api/* are RFC 9457 problem details."
  },
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "tags": [
    {"name": "Operations", "description": "Health, readiness and this document."},
    {"name": "Tenancy", "description": "Tenant registration and tenant administration."}
  ],
  "paths": {
    "/healthz": {
      "get": {
        "tags": ["Operations"],
        "operationId": "getHealth",
        "summary": "Liveness: the process answers.",
        "security": [],
        "responses": {
          "200": {"description": "The server is alive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HealthStatus"}}}}
        }
      }
    },
    "/readyz": {
      "get": {
        "tags": ["Operations"],
        "operationId": "getReadiness",
        "summary": "Readiness: storage is open and readable.",
        "security": [],
        "responses": {
          "200": {"description": "Ready to serve.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HealthStatus"}}}},
          "503": {"description": "Not ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HealthStatus"}}}}
        }
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["Operations"],
        "operationId": "getOpenAPIDocument",
        "summary": "This OpenAPI 3.1 document.",
        "security": [],
        "responses": {
          "200": {"description": "The document.", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    },
    "/api/tenancy/tenant-registrations": {
      "post": {
        "tags": ["Tenancy"],
        "operationId": "registerTenant",
        "summary": "Create a tenant with its first organization and administrator.",
        "description": "One write transaction creates the tenant, its first organization, the administrator user and an administrator membership. Public: no authentication.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {"$ref": "#/components/schemas/TenantRegistrationRequest"},
              "example": {
                "tenantName": "Acme Corp",
                "tenantSlug": "acme",
                "userName": "acme-admin",
                "email": "admin@acme.example",
                "password": "ChangeThisPassword123!",
                "planCode": "developer"
              }
            }
          }
        },
        "responses": {
          "201": {"description": "Registered.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TenantRegistrationResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/ContentTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}
        }
      }
    }
  },
  "components": {
    "schemas": {
      "HealthStatus": {
        "type": "object",
        "required": ["status"],
        "properties": {
          "status": {"type": "string", "enum": ["ok", "ready", "unavailable"]},
          "detail": {"type": "string"}
        }
      },
      "TenantRegistrationRequest": {
        "type": "object",
        "additionalProperties": false,
        "required": ["tenantName", "tenantSlug", "userName", "email", "password", "planCode"],
        "properties": {
          "tenantName": {"type": "string", "minLength": 1, "maxLength": 200},
          "tenantSlug": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$"},
          "userName": {"type": "string", "minLength": 1, "maxLength": 100},
          "email": {"type": "string", "format": "email"},
          "password": {"type": "string", "minLength": 12, "description": "At least 12 characters and at most 72 bytes of UTF-8. Stored only as a bcrypt hash."},
          "planCode": {"type": "string", "enum": ["developer", "growth", "business", "enterprise"]}
        }
      },
      "TenantRegistrationResponse": {
        "type": "object",
        "required": ["tenantId", "organizationId", "administratorUserId", "membershipId"],
        "properties": {
          "tenantId": {"type": "string"},
          "organizationId": {"type": "string"},
          "administratorUserId": {"type": "string"},
          "membershipId": {"type": "string"}
        }
      },
      "FieldError": {
        "type": "object",
        "required": ["field", "message"],
        "properties": {
          "field": {"type": "string"},
          "message": {"type": "string"}
        }
      },
      "ProblemDetails": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "required": ["type", "title", "status"],
        "properties": {
          "type": {"type": "string"},
          "title": {"type": "string"},
          "status": {"type": "integer"},
          "detail": {"type": "string"},
          "instance": {"type": "string"},
          "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        }
      }
    },
    "responses": {
      "BadRequest": {"description": "Malformed body or invalid fields.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "Conflict": {"description": "Conflicts with existing state.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "ContentTooLarge": {"description": "The body exceeds the size limit.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "UnsupportedMediaType": {"description": "The body is not JSON.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
    }
  }
}
"""#
}
