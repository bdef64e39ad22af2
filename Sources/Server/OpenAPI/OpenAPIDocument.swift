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
    {"name": "Tenancy", "description": "Tenant registration and tenant administration."},
    {"name": "Applications", "description": "A tenant's applications, their environments and OAuth clients. Bearer token with arbiter.api; authorized by the built-in policies."},
    {"name": "Organizations", "description": "Memberships, roles and groups of a tenant's organizations, projected into the policy graph. Bearer token with arbiter.api; authorized by the built-in policies."},
    {"name": "Scopes", "description": "Resource scopes: a tree per organization with per-member allow/deny grants, and check-scoped, which decides with them and the compiled policies (DESIGN 3.5)."},
    {"name": "Runtime", "description": "What application backends call on every request: check, check-batch and me, decided by the built-in policies and the tenant's active bundle over the tenant's graph."},
    {"name": "Policies", "description": "A tenant's own policy bundles: upload (compiled, every diagnostic on 422), versions, rollback. They take part in runtime checks only; the management API decides with the built-in policies."},
    {"name": "Licensing", "description": "Feature manifests of external applications, a tenant's subscriptions with seats, the entitlements they give and seat assignments; all projected into the tenant's policy graph and gated by the built-in rules of Policies/licensing.yaml."},
    {"name": "Marketplace", "description": "The catalog of published products and their installation into a tenant."},
    {"name": "Protocol", "description": "OpenID Connect / OAuth 2.0. Each tenant is its own issuer, {base}/t/{tenant}; errors on /connect/* are RFC 6749 error objects."}
  ],
  "paths": {
    "/api/runtime/authorization/check": {"post": {"tags": ["Runtime"], "operationId": "check", "summary": "May the principal do the action on the resource?", "description": "Without resource, the resource is the caller's Tenant::\"<tenant id>\". action is an Action id or {type, id}. atLeastRevision (a revision string from an earlier answer or write) answers at that revision or newer. explain adds trace: every rule evaluated, in order, with its source (builtIn or tenant) and outcome. Bodies are limited to 64 KiB, 12 levels of nesting and 64 context keys. Bearer access token of the tenant; the tenant is always the token's, and every id in the body is looked up in that tenant's graph only (another tenant's principal or resource is simply absent: deny). A check about the token's own subject (no principal: User::\"<sub>\" for a user token, Client::\"<client_id>\" for a client-credentials token) needs no particular scope; naming another principal needs arbiter.runtime.check (403 insufficient-scope). Decided by the built-in policies AND the tenant's active bundle at one graph snapshot, merged with Cedar semantics: any satisfied deny rule denies, else any satisfied allow rule allows, else deny. The server fills context.token {scopes, clientId, sessionId?, authTime?}, context.now (epoch seconds), context.ip (an ip() value) and, once devices are bound, context.device; a body naming one of these keys is a 400.", "security": [{"bearerToken": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}, "example": {"action": "read", "resource": {"type": "Document", "id": "doc-1"}, "context": {"department": "sales"}}}}}, "responses": {"400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/RuntimeUnauthorized"}, "403": {"$ref": "#/components/responses/RuntimeForbidden"}, "409": {"description": "atLeastRevision is not a revision of this tenant that this server has reached (revision-not-reached).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "200": {"description": "The decision.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckResponse"}}}}}}},
    "/api/runtime/authorization/check-batch": {"post": {"tags": ["Runtime"], "operationId": "checkBatch", "summary": "Up to 100 checks answered in order at one revision.", "description": "Each check is a check body without atLeastRevision (the batch's applies to all); more than 100 checks is a 400, and a mistake in any check fails the whole batch with each field named checks[i].<field>. Bodies are limited to 1 MiB. Bearer access token of the tenant; the tenant is always the token's, and every id in the body is looked up in that tenant's graph only (another tenant's principal or resource is simply absent: deny). A check about the token's own subject (no principal: User::\"<sub>\" for a user token, Client::\"<client_id>\" for a client-credentials token) needs no particular scope; naming another principal needs arbiter.runtime.check (403 insufficient-scope). Decided by the built-in policies AND the tenant's active bundle at one graph snapshot, merged with Cedar semantics: any satisfied deny rule denies, else any satisfied allow rule allows, else deny. The server fills context.token {scopes, clientId, sessionId?, authTime?}, context.now (epoch seconds), context.ip (an ip() value) and, once devices are bound, context.device; a body naming one of these keys is a 400.", "security": [{"bearerToken": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckBatchRequest"}, "example": {"checks": [{"action": "read", "resource": {"type": "Document", "id": "doc-1"}}, {"action": "use", "resource": {"type": "Feature", "id": "crm/reports"}}]}}}}, "responses": {"400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/RuntimeUnauthorized"}, "403": {"$ref": "#/components/responses/RuntimeForbidden"}, "409": {"description": "atLeastRevision is not a revision of this tenant that this server has reached (revision-not-reached).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "200": {"description": "The decisions, in the order asked.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckBatchResponse"}}}}}}},
    "/api/runtime/authorization/me": {"get": {"tags": ["Runtime"], "operationId": "me", "summary": "Who the token's subject is and which features it may use.", "description": "Tenant, organization, membership, user (user tokens) or client (client tokens), roles, and for every Feature entity of the tenant's graph (at most 500, in id order; featuresTruncated says when there are more) the decision on action use through the same evaluation as check, whether the tenant is entitled to it and whether it needs a seat; the products whose seats the subject holds; permVer and entVer; device (null until a device is bound to the token). Any valid access token of the tenant.", "security": [{"bearerToken": []}], "responses": {"200": {"description": "The caller.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}, "401": {"$ref": "#/components/responses/RuntimeUnauthorized"}}}},
    "/api/runtime/policies": {"put": {"tags": ["Policies"], "operationId": "uploadPolicyBundle", "summary": "Upload, compile and activate the tenant's policy files.", "description": "The body is a JSON map of file name to YAML text ({\"files\": {...}} or the map itself) or a ustar archive (application/x-tar; regular files only, no absolute names or .., macOS ._ files skipped). At most 200 files of at most 1 MiB each, within the server's body limit; the compiler's limits apply. Any diagnostic (error or warning) answers 422 listing every one with file, line and column, and nothing is stored. Rules that name the management API's actions (read, create, update, delete) on its resource types are refused: tenant bundles take part in runtime checks only, and the management API always decides with the built-in policies. On success the new version is stored with its files and activated in one transaction (audit events, revision and policy-epoch bump), then swapped into the running engine. Bearer token with the arbiter.api scope; the tenant is the token's. Administrators only (the built-in policies: PolicyBundle is a management resource; members and clients get 403). Another tenant's versions answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyBundleUpload"}, "example": {"files": {"documents.yaml": "kind: policy\nid: documents\nrules:\n  - id: editors-edit\n    effect: allow\n    principal: User\n    actions: [edit]\n    resource: Document\n    when: principal.roles.contains(\"editor\")\n"}}}, "application/x-tar": {"schema": {"type": "string", "format": "binary"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Stored and active. Location names the version.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyBundleActivation"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"description": "The files do not compile; every diagnostic is listed.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/PolicyBundleProblem"}}}}}}, "get": {"tags": ["Policies"], "operationId": "listPolicyBundles", "summary": "List the tenant's policy bundle versions, oldest first.", "description": "Paged with limit and after. Bearer token with the arbiter.api scope; the tenant is the token's. Administrators only (the built-in policies: PolicyBundle is a management resource; members and clients get 403). Another tenant's versions answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyBundlePage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/api/runtime/policies/{version}": {"get": {"tags": ["Policies"], "operationId": "getPolicyBundle", "summary": "Read a version with its files as uploaded.", "description": "Bearer token with the arbiter.api scope; the tenant is the token's. Administrators only (the built-in policies: PolicyBundle is a management resource; members and clients get 403). Another tenant's versions answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "version", "in": "path", "required": true, "description": "A version of the caller's tenant (v1, v2, \u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The version.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyBundleDetail"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/runtime/policies/{version}/activate": {"post": {"tags": ["Policies"], "operationId": "activatePolicyBundle", "summary": "Make a stored version active again (roll back or forward).", "description": "One transaction with an audit event, a revision bump and a policy-epoch bump (every subject's permVer moves); the next check runs the version's program, checks already running finish on theirs. Bearer token with the arbiter.api scope; the tenant is the token's. Administrators only (the built-in policies: PolicyBundle is a management resource; members and clients get 403). Another tenant's versions answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "version", "in": "path", "required": true, "description": "A version of the caller's tenant (v1, v2, \u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "Now active.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyBundleActivation"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/runtime/scopes": {"post": {"tags": ["Scopes"], "operationId": "createScope", "summary": "Create a resource scope in an organization's tree.", "description": "A root scope without parentId, else a child of parentId (a scope of the same organization). name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. The path is the names from the root joined by '/', unique in the tenant (409 scope-path-taken). At most 16 levels (400 on parentId) and 5000 scopes per organization (409 quota-exceeded). Location names the new scope. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateScopeRequest"}, "example": {"organizationId": "org_\u2026", "parentId": "scp_\u2026", "name": "apollo"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scope"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Scopes"], "operationId": "listScopes", "summary": "List the tenant's scopes, or one organization's, in id order.", "description": "Paged with limit and after; organizationId narrows to one organization (404 when it is not the tenant's). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "query", "required": false, "description": "Only this organization's scopes.", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScopePage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/runtime/scopes/{scopeId}": {"get": {"tags": ["Scopes"], "operationId": "getScope", "summary": "Read a scope.", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "scopeId", "in": "path", "required": true, "description": "Id of a scope of the caller's tenant (scp_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The scope.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scope"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "delete": {"tags": ["Scopes"], "operationId": "deleteScope", "summary": "Delete a scope and every grant on it.", "description": "A scope with child scopes answers 409 scope-has-children (no cascade: delete the children first). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "scopeId", "in": "path", "required": true, "description": "Id of a scope of the caller's tenant (scp_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Deleted."}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/api/runtime/scopes/{scopeId}/grants/{memberId}": {"put": {"tags": ["Scopes"], "operationId": "putScopeGrants", "summary": "Replace a member's grants on a scope.", "description": "grants: 1 to 32 of {action, effect}; action is \"*\" (every action) or 1 to 128 letters, digits, '.', '_', ':', '/' or '-', each at most once; effect allow or deny. The member's perm_ver moves. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "scopeId", "in": "path", "required": true, "description": "Id of a scope of the caller's tenant (scp_\u2026).", "schema": {"type": "string"}}, {"name": "memberId", "in": "path", "required": true, "description": "Id of a user of the tenant who is a member of the scope's organization (usr_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScopeGrantsRequest"}, "example": {"grants": [{"action": "read", "effect": "allow"}, {"action": "*", "effect": "deny"}]}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The member's grants.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScopeGrants"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Scopes"], "operationId": "getScopeGrants", "summary": "Read a member's grants on a scope.", "description": "404 when the member has none here. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "scopeId", "in": "path", "required": true, "description": "Id of a scope of the caller's tenant (scp_\u2026).", "schema": {"type": "string"}}, {"name": "memberId", "in": "path", "required": true, "description": "Id of a user of the tenant who is a member of the scope's organization (usr_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The member's grants.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScopeGrants"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "delete": {"tags": ["Scopes"], "operationId": "deleteScopeGrants", "summary": "Remove a member's grants on a scope.", "description": "404 when the member has none here. The member's perm_ver moves. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies on the scope's organization (administrators update it: manage scopes and grants; members read; clients nothing). Another tenant's scope, organization or member ids answer 404. Every change is one transaction: records, the Scope graph entity, audit event, the tenant's revision and the perm_ver of the members whose grants changed.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "scopeId", "in": "path", "required": true, "description": "Id of a scope of the caller's tenant (scp_\u2026).", "schema": {"type": "string"}}, {"name": "memberId", "in": "path", "required": true, "description": "Id of a user of the tenant who is a member of the scope's organization (usr_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Removed."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/runtime/authorization/check-scoped": {"post": {"tags": ["Scopes"], "operationId": "checkScoped", "summary": "A check decided by the resource-scope tree and the compiled policies.", "description": "The body of check plus scope (a scope id or path of the caller's tenant; unknown: 404) and entitlement (a Feature id the tenant must be entitled to). Without resource, the resource is Scope::\"<scope id>\". Order of precedence: (1) any matching compiled deny rule (built-in or the tenant's bundle) denies; (2) with entitlement, Feature::\"<entitlement>\".entitled must be true; (3) walking from the scope to the root, the nearest scope holding a grant of the principal (a User::\"usr_\u2026\" who is a member of the scope's organization) matching the action or \"*\" decides, deny beating allow on one scope; (4) with no matching grant, the policies decide (allow only if a rule allowed). Read at one snapshot (atLeastRevision honoured). Authentication and principal rules are those of check: a bearer token of the tenant; naming another principal needs arbiter.runtime.check.", "security": [{"bearerToken": []}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckScopedRequest"}, "example": {"action": "read", "scope": "/acme/projects/apollo"}}}}, "responses": {"200": {"description": "The decision.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckScopedResponse"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}},
    "/api/organizations/{organizationId}/memberships": {"get": {"tags": ["Organizations"], "operationId": "listMemberships", "summary": "List an organization's memberships, in id order.", "description": "Paged with limit and after. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MembershipPage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}, "post": {"tags": ["Organizations"], "operationId": "createMembership", "summary": "Add a user to the organization with roles.", "description": "Give userId (a user of the tenant) or user {userName, email, password} to create the user with the membership. Roles: at most 20 names of 1 to 64 letters, digits, '.', '_', '-' or ':'. 409 membership-exists when the user is already a member, user-name-taken for a new user's taken name. Location names the new membership. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateMembershipRequest"}, "example": {"user": {"userName": "ada", "email": "ada@example.com", "password": "a long passphrase"}, "roles": ["editor"]}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Membership"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}},
    "/api/organizations/{organizationId}/memberships/{membershipId}": {"get": {"tags": ["Organizations"], "operationId": "getMembership", "summary": "Read a membership with its user, roles and groups.", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "membershipId", "in": "path", "required": true, "description": "Id of a membership of that organization (mem_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The membership.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Membership"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "delete": {"tags": ["Organizations"], "operationId": "deleteMembership", "summary": "Remove a membership (and its group memberships).", "description": "The user stays in the tenant. Removing the tenant's last active administrator answers 409 last-administrator. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "membershipId", "in": "path", "required": true, "description": "Id of a membership of that organization (mem_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Deleted."}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/api/organizations/{organizationId}/memberships/{membershipId}/roles": {"put": {"tags": ["Organizations"], "operationId": "setMembershipRoles", "summary": "Replace a membership's roles.", "description": "The user's perm_ver moves, so tokens issued from now on carry the new value. Taking administrator from the tenant's last active administrator answers 409 last-administrator. Setting the same roles changes nothing. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "membershipId", "in": "path", "required": true, "description": "Id of a membership of that organization (mem_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SetRolesRequest"}, "example": {"roles": ["editor", "billing"]}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The membership.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Membership"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}},
    "/api/organizations/{organizationId}/groups": {"get": {"tags": ["Organizations"], "operationId": "listGroups", "summary": "List an organization's groups, in id order.", "description": "Paged with limit and after. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GroupPage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}, "post": {"tags": ["Organizations"], "operationId": "createGroup", "summary": "Create a group of the organization's members.", "description": "At most 500 groups per organization (409 group-limit). Location names the new group. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateGroupRequest"}, "example": {"name": "Editors"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Group"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}},
    "/api/organizations/{organizationId}/groups/{groupId}": {"get": {"tags": ["Organizations"], "operationId": "getGroup", "summary": "Read a group with its members' membership ids.", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "groupId", "in": "path", "required": true, "description": "Id of a group of that organization (grp_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The group.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Group"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "delete": {"tags": ["Organizations"], "operationId": "deleteGroup", "summary": "Delete a group.", "description": "Its members lose it (their perm_ver moves). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "groupId", "in": "path", "required": true, "description": "Id of a group of that organization (grp_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Deleted."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/organizations/{organizationId}/groups/{groupId}/members/{membershipId}": {"put": {"tags": ["Organizations"], "operationId": "addGroupMember", "summary": "Put a membership of this organization into the group.", "description": "Idempotent. At most 1000 members (409 group-full). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "groupId", "in": "path", "required": true, "description": "Id of a group of that organization (grp_\u2026).", "schema": {"type": "string"}}, {"name": "membershipId", "in": "path", "required": true, "description": "Id of a membership of that organization (mem_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "The membership is in the group."}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}, "delete": {"tags": ["Organizations"], "operationId": "removeGroupMember", "summary": "Take a membership out of the group.", "description": "404 when it is not in the group. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's organization, membership or group ids answer 404. Every change is one transaction: records, audit event, perm_ver bump of the users concerned, their policy-graph entities and the tenant's revision.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "organizationId", "in": "path", "required": true, "description": "Id of an organization of the caller's tenant (org_\u2026).", "schema": {"type": "string"}}, {"name": "groupId", "in": "path", "required": true, "description": "Id of a group of that organization (grp_\u2026).", "schema": {"type": "string"}}, {"name": "membershipId", "in": "path", "required": true, "description": "Id of a membership of that organization (mem_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Removed."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/runtime/manifests": {"post": {"tags": ["Licensing"], "operationId": "publishManifest", "summary": "Publish the feature manifest of the publisher client's application.", "description": "Client-credentials token of a manifest_publisher client (HTTP Basic at the token endpoint) with the reserved scope arbiter.manifest.publish (granted only by `arbiter admin create-client --purpose manifest_publisher --scopes arbiter.manifest.publish`). The manifest is always the client's own application's, which must have externalConsumption: true; it becomes the product <tenant slug>.<application key> of the marketplace catalog. Content equal to the newest version (features in any order) changes nothing and answers 200 with the same version; new content answers 201 with version n+1. A version label, once used, names one content (409 manifest-version-exists). Features and actions become graph entities (Product, Feature::\"<productKey>/<featureKey>\", SeatPool, Action::\"<productKey>/<action>\" in action group Action::\"use\") of the publisher's tenant and of every tenant that installed the product, in the same write transaction; features dropped by a new version are deleted. At most 100 features, 50 actions and 20 roles each.", "security": [{"bearerToken": ["arbiter.manifest.publish"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ManifestRequest"}, "example": {"version": "1.0.0", "features": [{"key": "reports", "name": "Reports", "actions": ["export", "view"], "roles": ["analyst"], "seatRequired": true}, {"key": "contacts", "name": "Contacts", "actions": ["list"]}]}}}}, "responses": {"401": {"description": "No bearer token, or an invalid or expired one (problem+json)."}, "403": {"description": "The token lacks arbiter.manifest.publish (insufficient-scope) or is not an active manifest_publisher client's own client-credentials token (forbidden)."}, "201": {"description": "A new version.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Manifest"}}}}, "200": {"description": "Same content as the newest version: nothing changed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Manifest"}}}}, "409": {"$ref": "#/components/responses/Conflict"}, "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Licensing"], "operationId": "listManifestVersions", "summary": "Every published version of the publisher client's application's manifest, newest first (at most 100).", "description": "Same authentication as publishing.", "security": [{"bearerToken": ["arbiter.manifest.publish"]}], "responses": {"401": {"description": "No bearer token, or an invalid or expired one (problem+json)."}, "403": {"description": "The token lacks arbiter.manifest.publish (insufficient-scope) or is not an active manifest_publisher client's own client-credentials token (forbidden)."}, "200": {"description": "The versions; productKey is absent before the first publish.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ManifestVersionList"}}}}}}},
    "/api/marketplace/catalog": {"get": {"tags": ["Marketplace"], "operationId": "listCatalog", "summary": "The products of the marketplace: published external applications with their features.", "description": "Any active member of any tenant may read it. Shows each product's newest version and whether the caller's tenant installed it; nothing else of the publisher's tenant. Paged with limit and after (product keys). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogProduct"}}, "nextAfter": {"type": "string"}}}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/api/marketplace/installations": {"post": {"tags": ["Marketplace"], "operationId": "installProduct", "summary": "Install a product into the caller's tenant.", "description": "Writes the product's Product, Feature, SeatPool and Action entities into the tenant's graph (entitled: false until a subscription) in the same write transaction. 404 for a product not in the catalog, 409 already-installed, at most 100 installations. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["productKey"], "properties": {"productKey": {"type": "string"}}}, "example": {"productKey": "acme.crm"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Installed; Location names it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Installation"}}}}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Marketplace"], "operationId": "listInstallations", "summary": "The tenant's installations.", "description": "Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "Every installation.", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Installation"}}, "nextAfter": {"type": "string"}}}}}}}}},
    "/api/marketplace/installations/{installationId}": {"delete": {"tags": ["Marketplace"], "operationId": "uninstallProduct", "summary": "Uninstall a product.", "description": "Refused (409 installation-in-use) while the tenant holds an active subscription or assigned seats of it. Removes the product's entities from the tenant's graph (the publisher keeps its own). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "installationId", "in": "path", "required": true, "description": "An installation of the caller's tenant (ins_…).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Uninstalled."}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/api/licensing/subscriptions": {"post": {"tags": ["Licensing"], "operationId": "createSubscription", "summary": "Subscribe the tenant to an installed product with a seat count.", "description": "While active, every feature of the product is entitled (Feature.entitled in the graph) and SeatPool.seats is the seat count. 409 product-not-installed, 409 subscription-exists (one active subscription per product). Moves ent_ver of every user and client of the tenant. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["productKey", "seats"], "properties": {"productKey": {"type": "string"}, "seats": {"type": "integer", "minimum": 0, "maximum": 100000}}}, "example": {"productKey": "acme.crm", "seats": 10}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created; Location names it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscription"}}}}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Licensing"], "operationId": "listSubscriptions", "summary": "The tenant's subscriptions, active and cancelled.", "description": "Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "Every subscription.", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Subscription"}}, "nextAfter": {"type": "string"}}}}}}}}},
    "/api/licensing/subscriptions/{subscriptionId}": {"get": {"tags": ["Licensing"], "operationId": "getSubscription", "summary": "Read a subscription with its assigned seat count.", "description": "Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "subscriptionId", "in": "path", "required": true, "description": "A subscription of the caller's tenant (sub_…).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The subscription.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscription"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "patch": {"tags": ["Licensing"], "operationId": "updateSubscription", "summary": "Change the seat count or status (active/cancelled).", "description": "Fewer seats than are assigned, or cancelling while seats are assigned, is 409 seats-in-use; reactivating needs the product installed and no other active subscription. Moves ent_ver of every user and client of the tenant. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "subscriptionId", "in": "path", "required": true, "description": "A subscription of the caller's tenant (sub_…).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"seats": {"type": "integer", "minimum": 0, "maximum": 100000}, "status": {"type": "string", "enum": ["active", "cancelled"]}}}, "example": {"seats": 20}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "Updated.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscription"}}}}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}},
    "/api/licensing/entitlements": {"get": {"tags": ["Licensing"], "operationId": "listEntitlements", "summary": "What the tenant's active subscriptions entitle it to.", "description": "Every feature of each product with an active subscription (featureId is the graph id of Feature::\"<featureId>\"), and each subscribed product's seats and how many are assigned. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The entitlements.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Entitlements"}}}}}}},
    "/api/licensing/seat-assignments": {"post": {"tags": ["Licensing"], "operationId": "assignSeat", "summary": "Give a user of the tenant a seat of a product through its active subscription.", "description": "Beyond the seat count is 409 no-seats-left (counted inside the write transaction); a second seat of the same product for the same user is 409 seat-already-assigned; a cancelled subscription is 409 subscription-not-active; a user or subscription not in the caller's tenant is 404. Adds the parent SeatPool::\"<productKey>\" to the user's graph entity and moves that user's ent_ver. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["subscriptionId", "userId"], "properties": {"subscriptionId": {"type": "string"}, "userId": {"type": "string"}}}, "example": {"subscriptionId": "sub_…", "userId": "usr_…"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Assigned; Location names it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SeatAssignment"}}}}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Licensing"], "operationId": "listSeatAssignments", "summary": "The tenant's seat assignments.", "description": "Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "Every seat assignment.", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SeatAssignment"}}, "nextAfter": {"type": "string"}}}}}}}}},
    "/api/licensing/seat-assignments/{seatAssignmentId}": {"delete": {"tags": ["Licensing"], "operationId": "releaseSeat", "summary": "Release a seat.", "description": "Removes the user's SeatPool parent and moves that user's ent_ver. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (Policies/licensing.yaml: administrators manage, active members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "seatAssignmentId", "in": "path", "required": true, "description": "A seat assignment of the caller's tenant (seat_…).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Released."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/applications": {"post": {"tags": ["Applications"], "operationId": "createApplication", "summary": "Create an application.", "description": "Counts against the plan's maxApplications (409 quota-exceeded). Without key, one is made from the name. Location names the new application. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateApplicationRequest"}, "example": {"name": "Billing Portal", "key": "billing", "externalConsumption": false}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Applications"], "operationId": "listApplications", "summary": "List the tenant's applications, in id order.", "description": "Paged with limit and after. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApplicationPage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/api/applications/{applicationId}": {"get": {"tags": ["Applications"], "operationId": "getApplication", "summary": "Read an application.", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The application.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "patch": {"tags": ["Applications"], "operationId": "updateApplication", "summary": "Change an application's name, key, status or external-consumption flag.", "description": "Fields left out stay as they are. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateApplicationRequest"}, "example": {"status": "disabled"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The changed application.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}, "delete": {"tags": ["Applications"], "operationId": "deleteApplication", "summary": "Delete an application and its environments.", "description": "Refused with 409 application-has-clients while it has clients. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Deleted."}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/api/applications/{applicationId}/environments": {"get": {"tags": ["Applications"], "operationId": "listEnvironments", "summary": "List an application's environments.", "description": "At most one of each kind. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The environments.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentList"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "post": {"tags": ["Applications"], "operationId": "createEnvironment", "summary": "Add a development, staging or production environment.", "description": "One of each kind (409 environment-exists); counts against the plan's maxEnvironments (409 quota-exceeded). Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateEnvironmentRequest"}, "example": {"kind": "production"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Environment"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/api/applications/{applicationId}/environments/{environmentId}": {"get": {"tags": ["Applications"], "operationId": "getEnvironment", "summary": "Read an environment.", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}, {"name": "environmentId", "in": "path", "required": true, "description": "Id of an environment of that application (env_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The environment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Environment"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/applications/{applicationId}/clients": {"post": {"tags": ["Applications"], "operationId": "createClient", "summary": "Create an OAuth client of the application.", "description": "interactive_web: redirectUris required (https, or http only for localhost/127.0.0.1; no fragment; at most 10 of at most 2048 bytes), public: true for a PKCE-only client without a secret. automation: a secret, or a certificate (tlsClientAuth or selfSignedTLSClientAuth) and no secret. manifest_publisher: a secret, HTTP Basic only. device: public. Reserved capability scopes cannot be granted. The secret, if any, is in clientSecret of this answer only. Counts against the plan's maxClients. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateClientRequest"}, "example": {"name": "Billing sync", "purpose": "automation", "scopes": ["arbiter.api", "tenant_context"]}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "201": {"description": "Created. Cache-Control: no-store.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientWithSecret"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/ContentTooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}, "get": {"tags": ["Applications"], "operationId": "listClients", "summary": "List the application's clients, in id order.", "description": "Paged with limit and after. Never shows secrets. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "required": false, "description": "Page size, 1 to 100 (default 50).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}, {"name": "after", "in": "query", "required": false, "description": "nextAfter of the previous page.", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientPage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/applications/{applicationId}/clients/{clientId}": {"get": {"tags": ["Applications"], "operationId": "getClient", "summary": "Read a client (never its secret).", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}, {"name": "clientId", "in": "path", "required": true, "description": "Id of a client of that application (cli_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The client.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Client"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}, "patch": {"tags": ["Applications"], "operationId": "updateClient", "summary": "Change a client's name, status, scopes or redirect URIs.", "description": "Fields left out stay as they are; each changed field is checked against the client's purpose. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}, {"name": "clientId", "in": "path", "required": true, "description": "Id of a client of that application (cli_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateClientRequest"}, "example": {"status": "disabled"}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The changed client.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Client"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}, "delete": {"tags": ["Applications"], "operationId": "deleteClient", "summary": "Delete a client; its id stops authenticating at once.", "description": " Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}, {"name": "clientId", "in": "path", "required": true, "description": "Id of a client of that application (cli_\u2026).", "schema": {"type": "string"}}], "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "204": {"description": "Deleted."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/api/applications/{applicationId}/clients/{clientId}/secrets": {"post": {"tags": ["Applications"], "operationId": "rotateClientSecret", "summary": "Give the client a new secret, returned once.", "description": "Old secrets stay valid for gracePeriodSeconds (0 to 2592000; default 0: they stop now). Clients without a secret (public, certificate) answer 400. Bearer token with the arbiter.api scope; the tenant is the token's. Authorized by the built-in policies (administrators manage, members read, clients nothing). Another tenant's ids answer 404.", "security": [{"bearerToken": ["arbiter.api"]}], "parameters": [{"name": "applicationId", "in": "path", "required": true, "description": "Id of an application of the caller's tenant (app_\u2026).", "schema": {"type": "string"}}, {"name": "clientId", "in": "path", "required": true, "description": "Id of a client of that application (cli_\u2026).", "schema": {"type": "string"}}], "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RotateClientSecretRequest"}, "example": {"gracePeriodSeconds": 3600}}}}, "responses": {"401": {"$ref": "#/components/responses/ManagementUnauthorized"}, "403": {"$ref": "#/components/responses/ManagementForbidden"}, "200": {"description": "The client with its new secret in clientSecret. Cache-Control: no-store.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClientWithSecret"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
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
    },
    "/.well-known/openid-configuration": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "getGlobalOpenIDConfiguration",
        "summary": "The OpenID configuration of the tenant named by ?tenant=.",
        "description": "There is no default tenant: stock clients use /t/{tenant}/.well-known/openid-configuration; this answers the same document.",
        "security": [],
        "parameters": [{"name": "tenant", "in": "query", "required": true, "description": "Slug of the tenant.", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "The issuer's metadata.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenIDConfiguration"}}}},
          "404": {"description": "No such tenant.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
          "400": {"description": "No tenant named.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
        }
      }
    },
    "/.well-known/jwks.json": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "getGlobalJWKS",
        "summary": "The published signing keys of the tenant named by ?tenant=.",
        "description": "Same as /t/{tenant}/.well-known/jwks.json.",
        "security": [],
        "parameters": [{"name": "tenant", "in": "query", "required": true, "description": "Slug of the tenant.", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "The published keys.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JSONWebKeySet"}}}},
          "404": {"description": "No such tenant.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
          "400": {"description": "No tenant named.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
        }
      }
    },
    "/t/{tenant}/.well-known/openid-configuration": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "getOpenIDConfiguration",
        "summary": "OpenID Connect Discovery for a tenant's issuer.",
        "description": "Lists only what is implemented: client_credentials, client_secret_basic and client_secret_post, introspection, ES256.",
        "security": [],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "The issuer's metadata.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenIDConfiguration"}}}},
          "404": {"description": "No such tenant.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
        }
      }
    },
    "/t/{tenant}/.well-known/jwks.json": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "getJWKS",
        "summary": "The tenant's published ES256 signing keys.",
        "description": "The active key plus retired keys until every token they signed has expired.",
        "security": [],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "The published keys.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JSONWebKeySet"}}}},
          "404": {"description": "No such tenant.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
        }
      }
    },
    "/connect/authorize": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "authorize",
        "summary": "Authorization endpoint (code flow with PKCE, sign-in page).",
        "description": "OIDC Core 3.1.2 / RFC 6749 4.1 with PKCE (RFC 7636). An unknown client or unregistered redirect_uri gets an HTML error page and is never redirected to; later errors go to the redirect_uri as error, error_description, state and iss (RFC 9207). Without a browser session (arbiter_session cookie) the sign-in page is shown; after sign-in (or with a session) the browser is sent to redirect_uri?code=...&state=...&iss=... with a one-time code valid 60 s.",
        "security": [],
        "parameters": [
          {"name": "response_type", "in": "query", "required": true, "description": "Must be code.", "schema": {"type": "string"}},
          {"name": "client_id", "in": "query", "required": true, "description": "An active interactive_web client (of the path's tenant).", "schema": {"type": "string"}},
          {"name": "redirect_uri", "in": "query", "required": true, "description": "Exactly one of the client's registered redirect URIs.", "schema": {"type": "string"}},
          {"name": "scope", "in": "query", "required": false, "description": "Space-separated; within the client's scopes (default: all of them).", "schema": {"type": "string"}},
          {"name": "state", "in": "query", "required": false, "description": "Echoed in the redirect (at most 1024 bytes).", "schema": {"type": "string"}},
          {"name": "nonce", "in": "query", "required": false, "description": "Echoed in the ID token (at most 512 bytes).", "schema": {"type": "string"}},
          {"name": "code_challenge", "in": "query", "required": false, "description": "PKCE S256 challenge (43 base64url characters); required for public clients.", "schema": {"type": "string"}},
          {"name": "code_challenge_method", "in": "query", "required": false, "description": "S256 (plain is refused).", "schema": {"type": "string"}},
          {"name": "prompt", "in": "query", "required": false, "description": "none (login_required when not signed in) or login (always show the form); consent and select_account are accepted and ignored.", "schema": {"type": "string"}},
          {"name": "max_age", "in": "query", "required": false, "description": "Seconds since the last sign-in after which the form is shown again.", "schema": {"type": "string"}},
          {"name": "login_hint", "in": "query", "required": false, "description": "Prefills the user name.", "schema": {"type": "string"}},
          {"name": "response_mode", "in": "query", "required": false, "description": "query (the only mode).", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "The sign-in page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "Back to the client's redirect_uri with code or error, state and iss."},
          "400": {"description": "A request that cannot be trusted to redirect (unknown client, unregistered redirect_uri, malformed), as an HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "401": {"description": "Sign-in refused: the page again with a generic error.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "403": {"description": "The sign-in form's CSRF token did not match.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "authorizePost",
        "summary": "Authorization request as a form, or the sign-in form.",
        "description": "OIDC Core 3.1.2 / RFC 6749 4.1 with PKCE (RFC 7636). An unknown client or unregistered redirect_uri gets an HTML error page and is never redirected to; later errors go to the redirect_uri as error, error_description, state and iss (RFC 9207). Without a browser session (arbiter_session cookie) the sign-in page is shown; after sign-in (or with a session) the browser is sent to redirect_uri?code=...&state=...&iss=... with a one-time code valid 60 s.",
        "security": [],
        "parameters": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "description": "Either the authorization request parameters (as for GET), or the sign-in form: csrf_token, authorization_request, tenant, username, password.", "properties": {"authorization_request": {"type": "string", "description": "Opaque reference to the pending authorization request (hidden field of the sign-in page)."}, "csrf_token": {"type": "string", "description": "Must equal the arbiter_csrf cookie."}, "tenant": {"type": "string"}, "username": {"type": "string"}, "password": {"type": "string", "format": "password"}, "response_type": {"type": "string"}, "client_id": {"type": "string"}, "redirect_uri": {"type": "string"}, "scope": {"type": "string"}, "state": {"type": "string"}, "nonce": {"type": "string"}, "code_challenge": {"type": "string"}, "code_challenge_method": {"type": "string"}}}}}},
        "responses": {
          "200": {"description": "The sign-in page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "Back to the client's redirect_uri with code or error, state and iss."},
          "400": {"description": "A request that cannot be trusted to redirect (unknown client, unregistered redirect_uri, malformed), as an HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "401": {"description": "Sign-in refused: the page again with a generic error.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "403": {"description": "The sign-in form's CSRF token did not match.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/connect/userinfo": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "getUserInfo",
        "summary": "OIDC UserInfo.",
        "description": "OIDC Core 5.3. A user's access token with openid as Authorization: Bearer; claims by scope: profile (name, preferred_username), email (email, email_verified).",
        "security": [{"bearerToken": []}],
        "parameters": [],
        "responses": {
          "200": {"description": "The user's claims. Cache-Control: no-store.", "content": {"application/json": {"schema": {"type": "object", "required": ["sub"], "properties": {"sub": {"type": "string"}, "name": {"type": "string"}, "preferred_username": {"type": "string"}, "email": {"type": "string"}, "email_verified": {"type": "boolean"}}}}}},
          "401": {"description": "No or an invalid access token: invalid_token with WWW-Authenticate: Bearer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}},
          "403": {"description": "The token lacks openid: insufficient_scope.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "postUserInfo",
        "summary": "OIDC UserInfo.",
        "description": "OIDC Core 5.3. A user's access token with openid as Authorization: Bearer; claims by scope: profile (name, preferred_username), email (email, email_verified).",
        "security": [{"bearerToken": []}],
        "parameters": [],
        "responses": {
          "200": {"description": "The user's claims. Cache-Control: no-store.", "content": {"application/json": {"schema": {"type": "object", "required": ["sub"], "properties": {"sub": {"type": "string"}, "name": {"type": "string"}, "preferred_username": {"type": "string"}, "email": {"type": "string"}, "email_verified": {"type": "boolean"}}}}}},
          "401": {"description": "No or an invalid access token: invalid_token with WWW-Authenticate: Bearer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}},
          "403": {"description": "The token lacks openid: insufficient_scope.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
        }
      }
    },
    "/connect/endsession": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "endSession",
        "summary": "RP-initiated logout.",
        "description": "OpenID Connect RP-Initiated Logout 1.0: revokes the browser's session (cookie) and the hint's sid, clears the cookie, then redirects to a registered post_logout_redirect_uri (with state) or shows a signed-out page.",
        "security": [],
        "parameters": [
          {"name": "id_token_hint", "in": "query", "required": false, "description": "An ID token this issuer signed (expired is fine); its sid is signed out and its aud names the client.", "schema": {"type": "string"}},
          {"name": "post_logout_redirect_uri", "in": "query", "required": false, "description": "Followed only when registered (exactly) for the client.", "schema": {"type": "string"}},
          {"name": "client_id", "in": "query", "required": false, "description": "The client, when no id_token_hint is sent.", "schema": {"type": "string"}},
          {"name": "state", "in": "query", "required": false, "description": "Echoed to post_logout_redirect_uri.", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "Signed-out page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "To the registered post_logout_redirect_uri, with state."},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "endSessionPost",
        "summary": "RP-initiated logout as a form.",
        "description": "OpenID Connect RP-Initiated Logout 1.0: revokes the browser's session (cookie) and the hint's sid, clears the cookie, then redirects to a registered post_logout_redirect_uri (with state) or shows a signed-out page.",
        "security": [],
        "parameters": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"id_token_hint": {"type": "string"}, "post_logout_redirect_uri": {"type": "string"}, "client_id": {"type": "string"}, "state": {"type": "string"}}}}}},
        "responses": {
          "200": {"description": "Signed-out page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "To the registered post_logout_redirect_uri, with state."},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/t/{tenant}/connect/authorize": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "authorizeTenant",
        "summary": "Authorization endpoint of a tenant's issuer (code flow with PKCE, sign-in page).",
        "description": "OIDC Core 3.1.2 / RFC 6749 4.1 with PKCE (RFC 7636). An unknown client or unregistered redirect_uri gets an HTML error page and is never redirected to; later errors go to the redirect_uri as error, error_description, state and iss (RFC 9207). Without a browser session (arbiter_session cookie) the sign-in page is shown; after sign-in (or with a session) the browser is sent to redirect_uri?code=...&state=...&iss=... with a one-time code valid 60 s.",
        "security": [],
        "parameters": [
          {"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}},
          {"name": "response_type", "in": "query", "required": true, "description": "Must be code.", "schema": {"type": "string"}},
          {"name": "client_id", "in": "query", "required": true, "description": "An active interactive_web client (of the path's tenant).", "schema": {"type": "string"}},
          {"name": "redirect_uri", "in": "query", "required": true, "description": "Exactly one of the client's registered redirect URIs.", "schema": {"type": "string"}},
          {"name": "scope", "in": "query", "required": false, "description": "Space-separated; within the client's scopes (default: all of them).", "schema": {"type": "string"}},
          {"name": "state", "in": "query", "required": false, "description": "Echoed in the redirect (at most 1024 bytes).", "schema": {"type": "string"}},
          {"name": "nonce", "in": "query", "required": false, "description": "Echoed in the ID token (at most 512 bytes).", "schema": {"type": "string"}},
          {"name": "code_challenge", "in": "query", "required": false, "description": "PKCE S256 challenge (43 base64url characters); required for public clients.", "schema": {"type": "string"}},
          {"name": "code_challenge_method", "in": "query", "required": false, "description": "S256 (plain is refused).", "schema": {"type": "string"}},
          {"name": "prompt", "in": "query", "required": false, "description": "none (login_required when not signed in) or login (always show the form); consent and select_account are accepted and ignored.", "schema": {"type": "string"}},
          {"name": "max_age", "in": "query", "required": false, "description": "Seconds since the last sign-in after which the form is shown again.", "schema": {"type": "string"}},
          {"name": "login_hint", "in": "query", "required": false, "description": "Prefills the user name.", "schema": {"type": "string"}},
          {"name": "response_mode", "in": "query", "required": false, "description": "query (the only mode).", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "The sign-in page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "Back to the client's redirect_uri with code or error, state and iss."},
          "400": {"description": "A request that cannot be trusted to redirect (unknown client, unregistered redirect_uri, malformed), as an HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "401": {"description": "Sign-in refused: the page again with a generic error.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "403": {"description": "The sign-in form's CSRF token did not match.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "authorizePostTenant",
        "summary": "Authorization request as a form, or the sign-in form of a tenant's issuer.",
        "description": "OIDC Core 3.1.2 / RFC 6749 4.1 with PKCE (RFC 7636). An unknown client or unregistered redirect_uri gets an HTML error page and is never redirected to; later errors go to the redirect_uri as error, error_description, state and iss (RFC 9207). Without a browser session (arbiter_session cookie) the sign-in page is shown; after sign-in (or with a session) the browser is sent to redirect_uri?code=...&state=...&iss=... with a one-time code valid 60 s.",
        "security": [],
        "parameters": [
          {"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}
        ],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "description": "Either the authorization request parameters (as for GET), or the sign-in form: csrf_token, authorization_request, tenant, username, password.", "properties": {"authorization_request": {"type": "string", "description": "Opaque reference to the pending authorization request (hidden field of the sign-in page)."}, "csrf_token": {"type": "string", "description": "Must equal the arbiter_csrf cookie."}, "tenant": {"type": "string"}, "username": {"type": "string"}, "password": {"type": "string", "format": "password"}, "response_type": {"type": "string"}, "client_id": {"type": "string"}, "redirect_uri": {"type": "string"}, "scope": {"type": "string"}, "state": {"type": "string"}, "nonce": {"type": "string"}, "code_challenge": {"type": "string"}, "code_challenge_method": {"type": "string"}}}}}},
        "responses": {
          "200": {"description": "The sign-in page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "Back to the client's redirect_uri with code or error, state and iss."},
          "400": {"description": "A request that cannot be trusted to redirect (unknown client, unregistered redirect_uri, malformed), as an HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "401": {"description": "Sign-in refused: the page again with a generic error.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "403": {"description": "The sign-in form's CSRF token did not match.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/t/{tenant}/connect/userinfo": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "getUserInfoTenant",
        "summary": "OIDC UserInfo of a tenant's issuer.",
        "description": "OIDC Core 5.3. A user's access token with openid as Authorization: Bearer; claims by scope: profile (name, preferred_username), email (email, email_verified).",
        "security": [{"bearerToken": []}],
        "parameters": [
          {"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "The user's claims. Cache-Control: no-store.", "content": {"application/json": {"schema": {"type": "object", "required": ["sub"], "properties": {"sub": {"type": "string"}, "name": {"type": "string"}, "preferred_username": {"type": "string"}, "email": {"type": "string"}, "email_verified": {"type": "boolean"}}}}}},
          "401": {"description": "No or an invalid access token: invalid_token with WWW-Authenticate: Bearer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}},
          "403": {"description": "The token lacks openid: insufficient_scope.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "postUserInfoTenant",
        "summary": "OIDC UserInfo of a tenant's issuer.",
        "description": "OIDC Core 5.3. A user's access token with openid as Authorization: Bearer; claims by scope: profile (name, preferred_username), email (email, email_verified).",
        "security": [{"bearerToken": []}],
        "parameters": [
          {"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "The user's claims. Cache-Control: no-store.", "content": {"application/json": {"schema": {"type": "object", "required": ["sub"], "properties": {"sub": {"type": "string"}, "name": {"type": "string"}, "preferred_username": {"type": "string"}, "email": {"type": "string"}, "email_verified": {"type": "boolean"}}}}}},
          "401": {"description": "No or an invalid access token: invalid_token with WWW-Authenticate: Bearer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}},
          "403": {"description": "The token lacks openid: insufficient_scope.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
        }
      }
    },
    "/t/{tenant}/connect/endsession": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "endSessionTenant",
        "summary": "RP-initiated logout of a tenant's issuer.",
        "description": "OpenID Connect RP-Initiated Logout 1.0: revokes the browser's session (cookie) and the hint's sid, clears the cookie, then redirects to a registered post_logout_redirect_uri (with state) or shows a signed-out page.",
        "security": [],
        "parameters": [
          {"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}},
          {"name": "id_token_hint", "in": "query", "required": false, "description": "An ID token this issuer signed (expired is fine); its sid is signed out and its aud names the client.", "schema": {"type": "string"}},
          {"name": "post_logout_redirect_uri", "in": "query", "required": false, "description": "Followed only when registered (exactly) for the client.", "schema": {"type": "string"}},
          {"name": "client_id", "in": "query", "required": false, "description": "The client, when no id_token_hint is sent.", "schema": {"type": "string"}},
          {"name": "state", "in": "query", "required": false, "description": "Echoed to post_logout_redirect_uri.", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "Signed-out page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "To the registered post_logout_redirect_uri, with state."},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "endSessionPostTenant",
        "summary": "RP-initiated logout as a form of a tenant's issuer.",
        "description": "OpenID Connect RP-Initiated Logout 1.0: revokes the browser's session (cookie) and the hint's sid, clears the cookie, then redirects to a registered post_logout_redirect_uri (with state) or shows a signed-out page.",
        "security": [],
        "parameters": [
          {"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}
        ],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"id_token_hint": {"type": "string"}, "post_logout_redirect_uri": {"type": "string"}, "client_id": {"type": "string"}, "state": {"type": "string"}}}}}},
        "responses": {
          "200": {"description": "Signed-out page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "302": {"description": "To the registered post_logout_redirect_uri, with state."},
          "404": {"description": "No such tenant (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/connect/token": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "requestToken",
        "summary": "Token endpoint; the tenant is the authenticated client's.",
        "description": "client_credentials with client_secret_basic or client_secret_post. Returns an RFC 9068 JWT access token signed ES256 (typ at+jwt) with iss, sub, aud, exp, iat, jti, client_id, scope and tenant_id when tenant_context is granted.",
        "security": [{"clientSecretBasic": []}, {"clientSecretPost": []}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
        "responses": {
          "200": {"description": "An access token. Cache-Control: no-store.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/t/{tenant}/connect/token": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "requestTenantToken",
        "summary": "Token endpoint of a tenant's issuer.",
        "description": "client_credentials with client_secret_basic or client_secret_post. Returns an RFC 9068 JWT access token signed ES256 (typ at+jwt) with iss, sub, aud, exp, iat, jti, client_id, scope and tenant_id when tenant_context is granted.",
        "security": [{"clientSecretBasic": []}, {"clientSecretPost": []}],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
        "responses": {
          "200": {"description": "An access token. Cache-Control: no-store.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/connect/mtls/token": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "requestCertificateBoundToken",
        "summary": "mTLS alias of the token endpoint (RFC 8705); the tenant is the authenticated client's.",
        "description": "The same grants and client authentication as /connect/token, plus tls_client_auth (client_id and a certificate from the client CA with the registered subject DN) and self_signed_tls_client_auth (client_id and the certificate with the registered SHA-256 thumbprint). Needs a TLS client certificate, from this server's handshake or forwarded by a trusted proxy; every access token issued here carries cnf.x5t#S256 and is accepted only from requests presenting that certificate.",
        "security": [{"mutualTLS": []}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
        "responses": {
          "200": {"description": "A certificate-bound access token. Cache-Control: no-store.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/t/{tenant}/connect/mtls/token": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "requestTenantCertificateBoundToken",
        "summary": "mTLS alias of a tenant issuer's token endpoint (RFC 8705).",
        "description": "The same grants and client authentication as /t/{tenant}/connect/token, plus tls_client_auth and self_signed_tls_client_auth. Needs a TLS client certificate; every access token issued here carries cnf.x5t#S256 and is accepted only from requests presenting that certificate.",
        "security": [{"mutualTLS": []}],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
        "responses": {
          "200": {"description": "A certificate-bound access token. Cache-Control: no-store.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/connect/deviceauthorization": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "startDeviceAuthorization",
        "summary": "Device authorization endpoint (RFC 8628); the tenant is the client's.",
        "description": "A device client (public: it only sends client_id) asks for a device code and a user code. The built-in arbiter-cli client is only served at /t/{tenant}/connect/deviceauthorization. The device then polls the token endpoint with grant_type urn:ietf:params:oauth:grant-type:device_code while the user approves at verification_uri. Cache-Control: no-store.",
        "security": [{}, {"clientSecretBasic": []}, {"clientSecretPost": []}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/DeviceAuthorizationRequest"}}}},
        "responses": {
          "200": {"description": "The codes and where the user approves.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeviceAuthorizationResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/t/{tenant}/connect/deviceauthorization": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "startTenantDeviceAuthorization",
        "summary": "Device authorization endpoint (RFC 8628) of a tenant's issuer.",
        "description": "As /connect/deviceauthorization; here client_id arbiter-cli names the tenant's built-in command-line client (scopes openid profile email offline_access tenant_context arbiter.api), which arbiter login uses.",
        "security": [{}, {"clientSecretBasic": []}, {"clientSecretPost": []}],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/DeviceAuthorizationRequest"}}}},
        "responses": {
          "200": {"description": "The codes and where the user approves.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeviceAuthorizationResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"},
          "404": {"description": "No such tenant.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
        }
      }
    },
    "/device": {
      "get": {
        "tags": ["Protocol"],
        "operationId": "showDeviceVerificationPage",
        "summary": "The device verification page (HTML).",
        "description": "A form for the user code (prefilled from ?user_code=), the user's name and password in the code's tenant, and Approve / Deny. Sets the arbiter_csrf cookie the form repeats.",
        "security": [],
        "parameters": [{"name": "user_code", "in": "query", "required": false, "description": "The code the device shows, XXXX-XXXX.", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "The form.", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      },
      "post": {
        "tags": ["Protocol"],
        "operationId": "decideDeviceAuthorization",
        "summary": "Approve or deny a device request (HTML form post).",
        "description": "Checks the CSRF token, finds the pending request by user code, checks the user name and password in that request's tenant, then approves (a sign-in session starts; the device's next poll gets tokens) or denies. Five wrong passwords lock the code.",
        "security": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
          "type": "object",
          "required": ["csrf_token", "user_code", "user_name", "password", "action"],
          "properties": {
            "csrf_token": {"type": "string"},
            "user_code": {"type": "string"},
            "user_name": {"type": "string"},
            "password": {"type": "string"},
            "action": {"type": "string", "enum": ["approve", "deny"]}
          }
        }}}},
        "responses": {
          "200": {"description": "Approved or denied.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "400": {"description": "Unknown or expired code, wrong credentials, or a locked code: the page says which.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "403": {"description": "The CSRF token is missing or does not match the cookie.", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/connect/introspect": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "introspectToken",
        "summary": "Token introspection; the tenant is the caller's.",
        "description": "RFC 7662. Callers authenticate as a client or with their own bearer token; tokens of the caller's tenant answer active with their claims, anything else {active: false}.",
        "security": [{"clientSecretBasic": []}, {"clientSecretPost": []}, {"bearerToken": []}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/IntrospectionRequest"}}}},
        "responses": {
          "200": {"description": "The token's state: active with its claims, or active false.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IntrospectionResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/t/{tenant}/connect/introspect": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "introspectTenantToken",
        "summary": "Token introspection at a tenant's issuer.",
        "description": "RFC 7662. Callers authenticate as a client or with their own bearer token; tokens of the caller's tenant answer active with their claims, anything else {active: false}.",
        "security": [{"clientSecretBasic": []}, {"clientSecretPost": []}, {"bearerToken": []}],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/IntrospectionRequest"}}}},
        "responses": {
          "200": {"description": "The token's state: active with its claims, or active false.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IntrospectionResponse"}}}},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/connect/revocation": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "revokeToken",
        "summary": "Token revocation (RFC 7009); the tenant is the authenticated client's.",
        "description": "A refresh token ends its whole refresh-token family; an access token is refused from then on until it expires (the sign-in session stays). Only the client a token was issued to can revoke it; unknown tokens and tokens of other clients still answer 200 and nothing changes. Confidential clients authenticate as at the token endpoint; public clients send client_id.",
        "security": [{"clientSecretBasic": []}, {"clientSecretPost": []}, {}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/RevocationRequest"}}}},
        "responses": {
          "200": {"description": "Revoked, or nothing to revoke. Empty body."},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"}
        }
      }
    },
    "/t/{tenant}/connect/revocation": {
      "post": {
        "tags": ["Protocol"],
        "operationId": "revokeTenantToken",
        "summary": "Token revocation (RFC 7009) at a tenant's issuer.",
        "description": "A refresh token ends its whole refresh-token family; an access token is refused from then on until it expires (the sign-in session stays). Only the client a token was issued to can revoke it; unknown tokens and tokens of other clients still answer 200 and nothing changes. Confidential clients authenticate as at the token endpoint; public clients send client_id.",
        "security": [{"clientSecretBasic": []}, {"clientSecretPost": []}, {}],
        "parameters": [{"name": "tenant", "in": "path", "required": true, "description": "Slug of the tenant (its issuer is {base}/t/{tenant}).", "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/RevocationRequest"}}}},
        "responses": {
          "200": {"description": "Revoked, or nothing to revoke. Empty body."},
          "400": {"$ref": "#/components/responses/OAuthBadRequest"},
          "401": {"$ref": "#/components/responses/OAuthUnauthorized"},
          "404": {"description": "No such tenant.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "clientSecretBasic": {"type": "http", "scheme": "basic", "description": "client_secret_basic: the form-encoded client_id and secret."},
      "clientSecretPost": {"type": "apiKey", "in": "header", "name": "Content-Type", "description": "client_secret_post: client_id and client_secret in the form body (OpenAPI has no scheme for body credentials)."},
      "bearerToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
      "mutualTLS": {"type": "mutualTLS", "description": "RFC 8705: a TLS client certificate, in the handshake or forwarded by a trusted proxy."}
    },
    "schemas": {
      "Feature": {"type": "object", "required": ["key", "name", "actions", "roles", "seatRequired"], "properties": {"key": {"type": "string", "description": "1 to 63 lowercase letters, digits or hyphens."}, "name": {"type": "string", "maxLength": 200}, "actions": {"type": "array", "maxItems": 50, "items": {"type": "string", "description": "1 to 63 of a-z 0-9 . _ : -; checked as action \"<productKey>/<action>\" on the Feature."}}, "roles": {"type": "array", "maxItems": 20, "items": {"type": "string"}, "description": "Roles that may use the feature; empty: every active member."}, "seatRequired": {"type": "boolean"}}},
      "ManifestRequest": {"type": "object", "additionalProperties": false, "required": ["features"], "properties": {"version": {"type": "string", "maxLength": 64, "description": "The publisher's version label."}, "features": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/components/schemas/Feature"}}}},
      "Manifest": {"type": "object", "required": ["productKey", "applicationId", "version", "changed", "publishedAt", "features"], "properties": {"productKey": {"type": "string"}, "applicationId": {"type": "string"}, "version": {"type": "integer"}, "label": {"type": "string"}, "changed": {"type": "boolean"}, "publishedAt": {"type": "string", "format": "date-time"}, "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}}},
      "ManifestVersionList": {"type": "object", "required": ["items"], "properties": {"productKey": {"type": "string"}, "items": {"type": "array", "items": {"type": "object", "required": ["version", "contentHash", "publishedAt", "publishedBy", "features"], "properties": {"version": {"type": "integer"}, "label": {"type": "string"}, "contentHash": {"type": "string"}, "publishedAt": {"type": "string", "format": "date-time"}, "publishedBy": {"type": "string"}, "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}}}}}},
      "CatalogProduct": {"type": "object", "required": ["productKey", "name", "version", "publishedAt", "installed", "features"], "properties": {"productKey": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}, "label": {"type": "string"}, "publishedAt": {"type": "string", "format": "date-time"}, "installed": {"type": "boolean"}, "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}}},
      "Installation": {"type": "object", "required": ["id", "productKey", "createdAt"], "properties": {"id": {"type": "string"}, "productKey": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}}},
      "Subscription": {"type": "object", "required": ["id", "productKey", "seats", "assignedSeats", "status", "createdAt", "updatedAt"], "properties": {"id": {"type": "string"}, "productKey": {"type": "string"}, "seats": {"type": "integer"}, "assignedSeats": {"type": "integer"}, "status": {"type": "string", "enum": ["active", "cancelled"]}, "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"}}},
      "SeatAssignment": {"type": "object", "required": ["id", "productKey", "subscriptionId", "userId", "createdAt"], "properties": {"id": {"type": "string"}, "productKey": {"type": "string"}, "subscriptionId": {"type": "string"}, "userId": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}}},
      "Entitlements": {"type": "object", "required": ["items", "seats"], "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["featureId", "productKey", "featureKey", "name", "actions", "roles", "seatRequired", "subscriptionId"], "properties": {"featureId": {"type": "string"}, "productKey": {"type": "string"}, "featureKey": {"type": "string"}, "name": {"type": "string"}, "actions": {"type": "array", "items": {"type": "string"}}, "roles": {"type": "array", "items": {"type": "string"}}, "seatRequired": {"type": "boolean"}, "subscriptionId": {"type": "string"}}}}, "seats": {"type": "array", "items": {"type": "object", "required": ["productKey", "subscriptionId", "seats", "assigned"], "properties": {"productKey": {"type": "string"}, "subscriptionId": {"type": "string"}, "seats": {"type": "integer"}, "assigned": {"type": "integer"}}}}}},
      "EntityRef": {"type": "object", "required": ["type", "id"], "additionalProperties": false, "properties": {"type": {"type": "string", "maxLength": 128}, "id": {"type": "string", "minLength": 1, "maxLength": 1024}}},
      "CheckRequest": {"type": "object", "required": ["action"], "additionalProperties": false, "properties": {"action": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/EntityRef"}]}, "resource": {"$ref": "#/components/schemas/EntityRef"}, "principal": {"$ref": "#/components/schemas/EntityRef"}, "context": {"type": "object", "maxProperties": 64, "description": "Cedar JSON values; {\"__entity\": {type, id}} and {\"__extn\": {fn: ip|decimal, arg}} escapes. token, now, ip and device are reserved."}, "explain": {"type": "boolean"}, "atLeastRevision": {"type": "string"}}},
      "BatchCheck": {"type": "object", "required": ["action"], "additionalProperties": false, "properties": {"action": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/EntityRef"}]}, "resource": {"$ref": "#/components/schemas/EntityRef"}, "principal": {"$ref": "#/components/schemas/EntityRef"}, "context": {"type": "object", "maxProperties": 64, "description": "Cedar JSON values; {\"__entity\": {type, id}} and {\"__extn\": {fn: ip|decimal, arg}} escapes. token, now, ip and device are reserved."}, "explain": {"type": "boolean"}}},
      "RuleError": {"type": "object", "required": ["rule", "source", "message"], "properties": {"rule": {"type": "string"}, "source": {"type": "string", "enum": ["builtIn", "tenant"]}, "message": {"type": "string"}, "location": {"type": "string"}}},
      "TraceEntry": {"type": "object", "required": ["rule", "source", "effect", "outcome"], "properties": {"rule": {"type": "string"}, "source": {"type": "string", "enum": ["builtIn", "tenant"]}, "effect": {"type": "string", "enum": ["allow", "deny"]}, "outcome": {"type": "string", "enum": ["outOfScope", "notSatisfied", "satisfied", "error"]}, "message": {"type": "string"}}},
      "CheckResult": {"type": "object", "required": ["decision", "allowed", "reasons", "errors", "permVer", "entVer"], "properties": {"decision": {"type": "string", "enum": ["allow", "deny"]}, "allowed": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}, "description": "Ids of the rules that determined the decision: every satisfied deny rule, else every satisfied allow rule; empty for a default deny."}, "errors": {"type": "array", "items": {"$ref": "#/components/schemas/RuleError"}, "description": "Rules whose condition raised an error (and so did not apply)."}, "permVer": {"type": "integer", "description": "The principal's perm_ver: its own counter plus the tenant's policy epoch."}, "entVer": {"type": "integer"}, "trace": {"type": "array", "items": {"$ref": "#/components/schemas/TraceEntry"}, "description": "With explain only."}}},
      "CheckResponse": {"type": "object", "required": ["decision", "allowed", "reasons", "errors", "revision", "permVer", "entVer"], "properties": {"decision": {"type": "string", "enum": ["allow", "deny"]}, "allowed": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}, "description": "Ids of the rules that determined the decision: every satisfied deny rule, else every satisfied allow rule; empty for a default deny."}, "errors": {"type": "array", "items": {"$ref": "#/components/schemas/RuleError"}, "description": "Rules whose condition raised an error (and so did not apply)."}, "permVer": {"type": "integer", "description": "The principal's perm_ver: its own counter plus the tenant's policy epoch."}, "entVer": {"type": "integer"}, "trace": {"type": "array", "items": {"$ref": "#/components/schemas/TraceEntry"}, "description": "With explain only."}, "revision": {"type": "string", "description": "The revision the answer was read at (opaque)."}}},
      "CheckBatchRequest": {"type": "object", "required": ["checks"], "additionalProperties": false, "properties": {"checks": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/BatchCheck"}}, "atLeastRevision": {"type": "string"}}},
      "CheckBatchResponse": {"type": "object", "required": ["revision", "results"], "properties": {"revision": {"type": "string"}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/CheckResult"}}}},
      "Me": {"type": "object", "required": ["tenant", "principal", "roles", "features", "entitlements", "seats", "permVer", "entVer", "revision", "device"], "properties": {"tenant": {"type": "object", "properties": {"id": {"type": "string"}, "slug": {"type": "string"}}}, "organization": {"type": ["object", "null"], "properties": {"id": {"type": "string"}}}, "membership": {"type": ["object", "null"], "properties": {"id": {"type": "string"}, "roles": {"type": "array", "items": {"type": "string"}}}}, "user": {"type": ["object", "null"], "properties": {"id": {"type": "string"}, "userName": {"type": "string"}, "email": {"type": "string"}, "active": {"type": "boolean"}}}, "client": {"type": ["object", "null"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}}}}, "principal": {"$ref": "#/components/schemas/EntityRef"}, "roles": {"type": "array", "items": {"type": "string"}}, "features": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "product": {"type": ["string", "null"]}, "allowed": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}}, "entitled": {"type": "boolean"}, "seatRequired": {"type": "boolean"}}}}, "featuresTruncated": {"type": "boolean"}, "entitlements": {"type": "array", "items": {"type": "string"}, "description": "Ids of the features the tenant is entitled to."}, "seats": {"type": "array", "items": {"type": "string"}, "description": "Product keys whose seat the subject holds."}, "permVer": {"type": "integer"}, "entVer": {"type": "integer"}, "revision": {"type": "string"}, "device": {"type": ["object", "null"], "description": "Device facts of a device-bound token (issue 7); null otherwise."}}},
      "PolicyBundleUpload": {"type": "object", "description": "{\"files\": {name: text}}, or the name-to-text map itself.", "properties": {"files": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 200}}, "additionalProperties": {"type": "string"}},
      "PolicyBundleVersion": {"type": "object", "required": ["version", "createdAt", "createdBy", "active", "rules", "bytes"], "properties": {"version": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "createdBy": {"type": "string", "description": "User or client id of the uploader."}, "activatedAt": {"type": "string", "format": "date-time", "description": "When it last became active; absent if never."}, "active": {"type": "boolean"}, "rules": {"type": "integer"}, "bytes": {"type": "integer", "description": "Size of the compiled bundle."}, "files": {"type": "array", "items": {"type": "string"}}}},
      "PolicyBundleActivation": {"type": "object", "required": ["version", "createdAt", "createdBy", "active", "rules", "bytes", "revision", "policyEpoch"], "properties": {"version": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "createdBy": {"type": "string", "description": "User or client id of the uploader."}, "activatedAt": {"type": "string", "format": "date-time", "description": "When it last became active; absent if never."}, "active": {"type": "boolean"}, "rules": {"type": "integer"}, "bytes": {"type": "integer", "description": "Size of the compiled bundle."}, "files": {"type": "array", "items": {"type": "string"}}, "revision": {"type": "integer", "description": "The tenant's revision after the change (for atLeastRevision)."}, "policyEpoch": {"type": "integer", "description": "Activations so far in this tenant; part of every subject's permVer."}}},
      "PolicyBundleDetail": {"type": "object", "required": ["version", "createdAt", "createdBy", "active", "rules", "bytes", "sources"], "properties": {"version": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "createdBy": {"type": "string", "description": "User or client id of the uploader."}, "activatedAt": {"type": "string", "format": "date-time", "description": "When it last became active; absent if never."}, "active": {"type": "boolean"}, "rules": {"type": "integer"}, "bytes": {"type": "integer", "description": "Size of the compiled bundle."}, "files": {"type": "array", "items": {"type": "string"}}, "sources": {"type": "object", "additionalProperties": {"type": "string"}, "description": "The files as uploaded, name to text."}}},
      "PolicyBundlePage": {"type": "object", "required": ["items", "policyEpoch"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/PolicyBundleVersion"}}, "activeVersion": {"type": "string"}, "policyEpoch": {"type": "integer"}, "nextAfter": {"type": "string"}}},
      "PolicyDiagnostic": {"type": "object", "required": ["file", "line", "column", "severity", "message"], "properties": {"file": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"}, "severity": {"type": "string", "enum": ["error", "warning"]}, "message": {"type": "string"}, "hint": {"type": "string"}}},
      "PolicyBundleProblem": {"type": "object", "required": ["type", "title", "status", "diagnostics"], "properties": {"type": {"type": "string", "const": "urn:arbiter:problem:policy-bundle-invalid"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "instance": {"type": "string"}, "diagnostics": {"type": "array", "items": {"$ref": "#/components/schemas/PolicyDiagnostic"}}}},
      "Scope": {"type": "object", "required": ["id", "organizationId", "name", "path", "depth", "createdAt"], "properties": {"id": {"type": "string"}, "organizationId": {"type": "string"}, "parentId": {"type": "string"}, "name": {"type": "string"}, "path": {"type": "string", "examples": ["/acme/projects/apollo"]}, "depth": {"type": "integer", "minimum": 0, "maximum": 15}, "createdAt": {"type": "string", "format": "date-time"}}},
      "ScopePage": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}}, "nextAfter": {"type": "string"}}},
      "CreateScopeRequest": {"type": "object", "required": ["organizationId", "name"], "additionalProperties": false, "properties": {"organizationId": {"type": "string"}, "parentId": {"type": "string"}, "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"}}},
      "ScopeGrant": {"type": "object", "required": ["action", "effect"], "additionalProperties": false, "properties": {"action": {"type": "string"}, "effect": {"type": "string", "enum": ["allow", "deny"]}}},
      "ScopeGrantsRequest": {"type": "object", "required": ["grants"], "additionalProperties": false, "properties": {"grants": {"type": "array", "minItems": 1, "maxItems": 32, "items": {"$ref": "#/components/schemas/ScopeGrant"}}}},
      "ScopeGrants": {"type": "object", "required": ["scopeId", "memberId", "grants", "updatedAt"], "properties": {"scopeId": {"type": "string"}, "memberId": {"type": "string"}, "grants": {"type": "array", "items": {"$ref": "#/components/schemas/ScopeGrant"}}, "updatedAt": {"type": "string", "format": "date-time"}}},
      "CheckScopedRequest": {"type": "object", "required": ["action", "scope"], "properties": {"action": {"description": "An Action id, or {type, id}.", "oneOf": [{"type": "string"}, {"type": "object"}]}, "resource": {"type": "object", "properties": {"type": {"type": "string"}, "id": {"type": "string"}}}, "principal": {"type": "object", "properties": {"type": {"type": "string"}, "id": {"type": "string"}}}, "context": {"type": "object"}, "atLeastRevision": {"type": "string"}, "explain": {"type": "boolean"}, "scope": {"type": "string", "description": "A scope id (scp_\u2026) or path (/a/b)."}, "entitlement": {"type": "string", "description": "A Feature id, <productKey>/<featureKey>."}}},
      "CheckScopedResponse": {"type": "object", "required": ["decision", "allowed", "reasons", "errors", "permVer", "entVer", "revision", "scope", "matchedScope", "scopeDepth", "scopeEffect", "basis"], "properties": {"decision": {"type": "string", "enum": ["allow", "deny"]}, "allowed": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}}, "errors": {"type": "array", "items": {"type": "object"}}, "permVer": {"type": "integer"}, "entVer": {"type": "integer"}, "revision": {"type": "string"}, "trace": {"type": "array", "items": {"type": "object"}}, "scope": {"type": "object", "properties": {"id": {"type": "string"}, "path": {"type": "string"}}}, "matchedScope": {"type": ["string", "null"]}, "matchedScopePath": {"type": ["string", "null"]}, "scopeDepth": {"type": ["integer", "null"]}, "scopeEffect": {"type": ["string", "null"], "enum": ["allow", "deny", null]}, "basis": {"type": "string", "enum": ["policyDeny", "notEntitled", "scope", "policy"]}, "entitled": {"type": "boolean"}}},
      "Membership": {"type": "object", "required": ["id", "organizationId", "userId", "roles", "groupIds", "createdAt"], "properties": {"id": {"type": "string"}, "organizationId": {"type": "string"}, "userId": {"type": "string"}, "userName": {"type": "string"}, "email": {"type": "string"}, "roles": {"type": "array", "maxItems": 20, "items": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"}}, "groupIds": {"type": "array", "items": {"type": "string"}}, "createdAt": {"type": "string", "format": "date-time"}}},
      "MembershipPage": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Membership"}}, "nextAfter": {"type": "string", "description": "Pass as after for the next page; absent on the last page."}}},
      "CreateMembershipRequest": {"type": "object", "additionalProperties": false, "properties": {"userId": {"type": "string", "description": "An existing user of the tenant."}, "user": {"type": "object", "additionalProperties": false, "required": ["userName", "email", "password"], "description": "A new user, created with the membership (password: 12 to 72 bytes, stored as a bcrypt hash).", "properties": {"userName": {"type": "string", "maxLength": 100}, "email": {"type": "string", "format": "email"}, "password": {"type": "string", "minLength": 12}}}, "roles": {"type": "array", "maxItems": 20, "items": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"}}}},
      "SetRolesRequest": {"type": "object", "additionalProperties": false, "required": ["roles"], "properties": {"roles": {"type": "array", "maxItems": 20, "items": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"}}}},
      "Group": {"type": "object", "required": ["id", "organizationId", "name", "memberIds", "createdAt"], "properties": {"id": {"type": "string"}, "organizationId": {"type": "string"}, "name": {"type": "string"}, "memberIds": {"type": "array", "items": {"type": "string"}, "description": "Membership ids, at most 1000."}, "createdAt": {"type": "string", "format": "date-time"}}},
      "GroupPage": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}}, "nextAfter": {"type": "string", "description": "Pass as after for the next page; absent on the last page."}}},
      "CreateGroupRequest": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 200}}},
      "Application": {"type": "object", "required": ["id", "key", "name", "status", "externalConsumption", "createdAt", "updatedAt"], "properties": {"id": {"type": "string"}, "key": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"}, "name": {"type": "string"}, "status": {"type": "string", "enum": ["active", "disabled"]}, "externalConsumption": {"type": "boolean", "description": "Parties outside the tenant consume this application."}, "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"}}},
      "ApplicationPage": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Application"}}, "nextAfter": {"type": "string", "description": "Pass as after for the next page; absent on the last page."}}},
      "CreateApplicationRequest": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "key": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"}, "externalConsumption": {"type": "boolean", "default": false}}},
      "UpdateApplicationRequest": {"type": "object", "additionalProperties": false, "minProperties": 1, "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "key": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"}, "status": {"type": "string", "enum": ["active", "disabled"]}, "externalConsumption": {"type": "boolean"}}},
      "Environment": {"type": "object", "required": ["id", "applicationId", "kind", "name", "createdAt"], "properties": {"id": {"type": "string"}, "applicationId": {"type": "string"}, "kind": {"type": "string", "enum": ["development", "staging", "production"]}, "name": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}}},
      "EnvironmentList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Environment"}}}},
      "CreateEnvironmentRequest": {"type": "object", "additionalProperties": false, "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["development", "staging", "production"]}, "name": {"type": "string", "minLength": 1, "maxLength": 200}}},
      "TLSClientAuth": {"type": "object", "additionalProperties": false, "required": ["subjectDN"], "properties": {"subjectDN": {"type": "string", "maxLength": 1024, "description": "RFC 4514 subject of the client certificate, issued by the configured client CA."}}},
      "SelfSignedTLSClientAuth": {"type": "object", "additionalProperties": false, "required": ["thumbprintS256"], "properties": {"thumbprintS256": {"type": "string", "minLength": 43, "maxLength": 43, "description": "base64url SHA-256 of the certificate's DER bytes."}}},
      "Client": {"type": "object", "required": ["clientId", "applicationId", "name", "purpose", "status", "scopes", "public", "grantTypes", "tokenEndpointAuthMethods", "secrets", "createdAt"], "properties": {"clientId": {"type": "string"}, "applicationId": {"type": "string"}, "environmentId": {"type": "string"}, "name": {"type": "string"}, "purpose": {"type": "string", "enum": ["interactive_web", "automation", "manifest_publisher", "device"]}, "status": {"type": "string", "enum": ["active", "disabled"]}, "scopes": {"type": "array", "items": {"type": "string"}}, "public": {"type": "boolean"}, "grantTypes": {"type": "array", "items": {"type": "string"}}, "tokenEndpointAuthMethods": {"type": "array", "items": {"type": "string"}}, "redirectUris": {"type": "array", "items": {"type": "string"}}, "postLogoutRedirectUris": {"type": "array", "items": {"type": "string"}}, "tlsClientAuth": {"$ref": "#/components/schemas/TLSClientAuth"}, "selfSignedTLSClientAuth": {"$ref": "#/components/schemas/SelfSignedTLSClientAuth"}, "secrets": {"type": "array", "description": "When each valid secret was made and, for an old one kept after a rotation, until when it works. Never the secret or its hash.", "items": {"type": "object", "required": ["id", "createdAt"], "properties": {"id": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "expiresAt": {"type": "string", "format": "date-time"}}}}, "createdAt": {"type": "string", "format": "date-time"}}},
      "ClientWithSecret": {"type": "object", "required": ["clientId", "applicationId", "name", "purpose", "status", "scopes", "public", "grantTypes", "tokenEndpointAuthMethods", "secrets", "createdAt"], "properties": {"clientId": {"type": "string"}, "applicationId": {"type": "string"}, "environmentId": {"type": "string"}, "name": {"type": "string"}, "purpose": {"type": "string", "enum": ["interactive_web", "automation", "manifest_publisher", "device"]}, "status": {"type": "string", "enum": ["active", "disabled"]}, "scopes": {"type": "array", "items": {"type": "string"}}, "public": {"type": "boolean"}, "grantTypes": {"type": "array", "items": {"type": "string"}}, "tokenEndpointAuthMethods": {"type": "array", "items": {"type": "string"}}, "redirectUris": {"type": "array", "items": {"type": "string"}}, "postLogoutRedirectUris": {"type": "array", "items": {"type": "string"}}, "tlsClientAuth": {"$ref": "#/components/schemas/TLSClientAuth"}, "selfSignedTLSClientAuth": {"$ref": "#/components/schemas/SelfSignedTLSClientAuth"}, "secrets": {"type": "array", "description": "When each valid secret was made and, for an old one kept after a rotation, until when it works. Never the secret or its hash.", "items": {"type": "object", "required": ["id", "createdAt"], "properties": {"id": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "expiresAt": {"type": "string", "format": "date-time"}}}}, "createdAt": {"type": "string", "format": "date-time"}, "clientSecret": {"type": "string", "description": "Present only in this answer, and only for clients with a secret."}}},
      "ClientPage": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Client"}}, "nextAfter": {"type": "string"}}},
      "CreateClientRequest": {"type": "object", "additionalProperties": false, "required": ["name", "purpose", "scopes"], "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "purpose": {"type": "string", "enum": ["interactive_web", "automation", "manifest_publisher", "device"]}, "scopes": {"type": "array", "items": {"type": "string"}}, "public": {"type": "boolean"}, "redirectUris": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 2048}}, "postLogoutRedirectUris": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 2048}}, "tlsClientAuth": {"$ref": "#/components/schemas/TLSClientAuth"}, "selfSignedTLSClientAuth": {"$ref": "#/components/schemas/SelfSignedTLSClientAuth"}, "environmentId": {"type": "string", "description": "An environment of the same application."}}},
      "UpdateClientRequest": {"type": "object", "additionalProperties": false, "minProperties": 1, "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "status": {"type": "string", "enum": ["active", "disabled"]}, "scopes": {"type": "array", "items": {"type": "string"}}, "redirectUris": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 2048}}, "postLogoutRedirectUris": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 2048}}}},
      "RotateClientSecretRequest": {"type": "object", "additionalProperties": false, "properties": {"gracePeriodSeconds": {"type": "integer", "minimum": 0, "maximum": 2592000, "default": 0}}},
      "TokenRequest": {
        "type": "object",
        "required": ["grant_type"],
        "properties": {
          "grant_type": {"type": "string", "enum": ["refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"]},
          "scope": {"type": "string", "description": "Space-separated; a subset of the client's scopes (default: all of them)."},
          "refresh_token": {"type": "string", "description": "grant_type refresh_token: the refresh token; each one works once and the response carries its successor. Presenting a used one revokes the whole grant and its sign-in session."},
          "client_id": {"type": "string"},
          "client_secret": {"type": "string"},
          "device_code": {"type": "string", "description": "grant_type urn:ietf:params:oauth:grant-type:device_code: the device code from the device authorization endpoint."}
        }
      },
      "TokenResponse": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in", "scope"],
        "properties": {
          "access_token": {"type": "string"},
          "refresh_token": {"type": "string", "description": "User grants only: the next refresh token (rotated on every use)."},
          "token_type": {"type": "string", "enum": ["Bearer"]},
          "expires_in": {"type": "integer"},
          "scope": {"type": "string"}
        }
      },
      "DeviceAuthorizationRequest": {
        "type": "object",
        "required": ["client_id"],
        "properties": {
          "client_id": {"type": "string"},
          "client_secret": {"type": "string"},
          "scope": {"type": "string", "description": "Space-separated; a subset of the client's scopes (default: all of them)."}
        }
      },
      "DeviceAuthorizationResponse": {
        "type": "object",
        "required": ["device_code", "user_code", "verification_uri", "verification_uri_complete", "expires_in", "interval"],
        "properties": {
          "device_code": {"type": "string"},
          "user_code": {"type": "string", "description": "8 letters of BCDFGHJKLMNPQRSTVWXZ shown as XXXX-XXXX; case and dash do not matter."},
          "verification_uri": {"type": "string"},
          "verification_uri_complete": {"type": "string"},
          "expires_in": {"type": "integer"},
          "interval": {"type": "integer"}
        }
      },
      "RevocationRequest": {
        "type": "object",
        "required": ["token"],
        "properties": {
          "token": {"type": "string", "description": "A refresh token or an access token issued to the calling client."},
          "token_type_hint": {"type": "string", "enum": ["refresh_token", "access_token"]},
          "client_id": {"type": "string"},
          "client_secret": {"type": "string"}
        }
      },
      "IntrospectionRequest": {
        "type": "object",
        "required": ["token"],
        "properties": {
          "token": {"type": "string"},
          "token_type_hint": {"type": "string"},
          "client_id": {"type": "string"},
          "client_secret": {"type": "string"}
        }
      },
      "IntrospectionResponse": {
        "type": "object",
        "required": ["active"],
        "properties": {
          "active": {"type": "boolean"},
          "scope": {"type": "string"},
          "client_id": {"type": "string"},
          "sub": {"type": "string"},
          "aud": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
          "iss": {"type": "string"},
          "exp": {"type": "integer"},
          "iat": {"type": "integer"},
          "nbf": {"type": "integer"},
          "jti": {"type": "string"},
          "token_type": {"type": "string"},
          "tenant_id": {"type": "string"}
        }
      },
      "OAuthError": {
        "type": "object",
        "description": "RFC 6749 section 5.2 error object.",
        "required": ["error"],
        "properties": {
          "error": {"type": "string", "enum": ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "invalid_token", "server_error"]},
          "error_description": {"type": "string"}
        }
      },
      "OpenIDConfiguration": {
        "type": "object",
        "required": ["issuer", "token_endpoint", "jwks_uri", "grant_types_supported", "response_types_supported"],
        "properties": {
          "issuer": {"type": "string"},
          "token_endpoint": {"type": "string"},
          "introspection_endpoint": {"type": "string"},
          "jwks_uri": {"type": "string"},
          "grant_types_supported": {"type": "array", "items": {"type": "string"}},
          "response_types_supported": {"type": "array", "items": {"type": "string"}},
          "token_endpoint_auth_methods_supported": {"type": "array", "items": {"type": "string"}},
          "introspection_endpoint_auth_methods_supported": {"type": "array", "items": {"type": "string"}},
          "scopes_supported": {"type": "array", "items": {"type": "string"}},
          "claims_supported": {"type": "array", "items": {"type": "string"}},
          "access_token_signing_alg_values_supported": {"type": "array", "items": {"type": "string"}},
          "service_documentation": {"type": "string"}
        }
      },
      "JSONWebKeySet": {
        "type": "object",
        "required": ["keys"],
        "properties": {
          "keys": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["kty", "crv", "x", "y", "kid", "use", "alg"],
              "properties": {
                "kty": {"type": "string", "enum": ["EC"]},
                "crv": {"type": "string", "enum": ["P-256"]},
                "x": {"type": "string"},
                "y": {"type": "string"},
                "kid": {"type": "string"},
                "use": {"type": "string", "enum": ["sig"]},
                "alg": {"type": "string", "enum": ["ES256"]}
              }
            }
          }
        }
      },
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
      "RuntimeUnauthorized": {"description": "No bearer token (authentication-required), or one that is invalid, expired or revoked (invalid-token). WWW-Authenticate: Bearer.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "RuntimeForbidden": {"description": "A principal other than the token's subject was named without the arbiter.runtime.check scope (insufficient-scope).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "ManagementUnauthorized": {"description": "No bearer token (authentication-required), or one that is invalid, expired or whose session ended (invalid-token). WWW-Authenticate: Bearer.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "ManagementForbidden": {"description": "The token lacks arbiter.api (insufficient-scope), or the built-in policies deny (forbidden).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "NotFound": {"description": "No such object in the caller's tenant.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "OAuthBadRequest": {"description": "An RFC 6749 error: invalid_request, unauthorized_client, unsupported_grant_type or invalid_scope.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}},
      "OAuthUnauthorized": {"description": "invalid_client (with WWW-Authenticate: Basic when HTTP Basic was used) or invalid_token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}},
      "BadRequest": {"description": "Malformed body or invalid fields.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "Conflict": {"description": "Conflicts with existing state.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "ContentTooLarge": {"description": "The body exceeds the size limit.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}},
      "UnsupportedMediaType": {"description": "The body is not JSON.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
    }
  }
}
"""#
}
