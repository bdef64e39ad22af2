import HTTPTypes
import Hummingbird
import Store

/// `GET /healthz` (the process answers) and `GET /readyz` (it can serve: storage readable).
struct HealthRoutes {
    let environment: Store.Environment

    struct Status: Encodable {
        var status: String
        var detail: String?
    }

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(.ok, Status(status: "ok"))
        }
        router.get("/readyz") { _, context in
            do {
                _ = try environment.read { try $0.count(environment.revisions) }
                return try JSONResponse.make(.ok, Status(status: "ready"))
            } catch {
                context.logger.warning("storage not readable", metadata: ["error": "\(error)"])
                return try JSONResponse.make(.serviceUnavailable, Status(status: "unavailable", detail: "storage is not readable"))
            }
        }
    }
}
