import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tokens one `arbiter login` obtained for one tenant issuer.
struct StoredLogin: Codable, Equatable {
    var server: String
    var tenant: String
    var issuer: String
    var tokenEndpoint: String
    var accessToken: String
    var refreshToken: String?
    var idToken: String?
    var scope: String
    var expiresAt: Date
    var subject: String?
}

/// `credentials.json` in `$ARBITER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/arbiter`, else
/// `~/.config/arbiter`: logins keyed by tenant issuer (`{server}/t/{tenant}`), so one file
/// holds several servers and tenants. The directory is made 0700 and the file is written
/// 0600 through a temporary file and a rename, so it is never readable by others, not
/// even for a moment, and never half-written.
struct CredentialStore {
    let directory: String

    static let fileName = "credentials.json"

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let explicit = environment["ARBITER_CONFIG_DIR"], !explicit.isEmpty {
            directory = explicit
        } else if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            directory = xdg + "/arbiter"
        } else {
            directory = (environment["HOME"] ?? NSHomeDirectory()) + "/.config/arbiter"
        }
    }

    var path: String { directory + "/" + Self.fileName }

    struct File: Codable {
        var version = 1
        var logins: [String: StoredLogin] = [:]
    }

    func load() throws -> File {
        guard FileManager.default.fileExists(atPath: path) else { return File() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIFailure("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try Self.decoder.decode(File.self, from: data)
        } catch {
            throw CLIFailure("\(path) is not a credentials file arbiter wrote; move it away and run arbiter login again")
        }
    }

    func login(issuer: String) throws -> StoredLogin? { try load().logins[issuer] }

    func save(_ login: StoredLogin) throws {
        var file = try load()
        file.logins[login.issuer] = login
        try write(file)
    }

    func write(_ file: File) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIFailure("cannot create \(directory): \(error.localizedDescription)")
        }
        let data = try Self.encoder.encode(file)
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CLIFailure("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        // An existing temporary file keeps its mode through O_CREAT: make sure it is 0600.
        fchmod(fd, 0o600)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        var written = true
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            written = false
        }
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CLIFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
