import Hummingbird
import NIOCore
import NIOPosix

/// (1) of the HTTP load benchmark: a Hummingbird 2 application with one route that decodes
/// the check request's JSON body with Hummingbird's default decoder (Foundation's
/// JSONDecoder) and answers a fixed JSON object with its default encoder — what a plain
/// Hummingbird route costs, with nothing of Arbiter in it.
///   bare-hummingbird PORT [--nio-executor]
/// --nio-executor installs NIO's event loops as Swift Concurrency's global executor, so the
/// route's task runs on the connection's thread instead of hopping to the cooperative pool.
let arguments = CommandLine.arguments
let port = arguments.count > 1 ? Int(arguments[1]) ?? 8082 : 8082
if arguments.contains("--nio-executor") {
    guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
        fatalError("could not install NIO as the global executor")
    }
}

struct EntityRef: Decodable { var type: String; var id: String }
struct CheckRequest: Decodable {
    var action: String
    var resource: EntityRef?
    var principal: EntityRef?
    var explain: Bool?
}
struct CheckAnswer: ResponseEncodable {
    var decision: String
    var allowed: Bool
    var reasons: [String]
    var errors: [String]
    var revision: String
    var permVer: Int
    var entVer: Int
}

let router = Router()
router.post("/api/runtime/authorization/check") { request, context -> CheckAnswer in
    let check = try await request.decode(as: CheckRequest.self, context: context)
    return CheckAnswer(decision: check.action.isEmpty ? "allow" : "deny", allowed: false, reasons: [], errors: [],
                       revision: "r1", permVer: 1, entVer: 1)
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
