import Foundation
import Hummingbird
import Identity
import PolicyLang

/// The files of a `PUT /api/runtime/policies` body, name → text, read within bounds.
///
/// Two shapes (issue 6: "JSON map of file name → content, or a tar"):
/// - JSON (`application/json`, or no Content-Type): `{"files": {"rbac.yaml": "…"}}`, or the
///   map itself, `{"rbac.yaml": "…"}`;
/// - `application/x-tar`: a ustar archive (see `TarArchive`).
///
/// Bounds, on top of the server's maximum body size: at most 200 files, 1 MiB each, names
/// relative without `..` and at most 255 bytes. The compiler's own limits (`PolicyLimits`,
/// YAML nesting and node counts) apply when the files are compiled.
enum PolicyBundleUpload {
    static let maxFiles = 200
    static let maxFileBytes = 1 << 20
    static let maxNameBytes = 255

    struct Files {
        var files: [String: String]
        /// Problems with one file that read best as a diagnostic (a file that is not UTF-8).
        var diagnostics: [Diagnostic]
    }

    static func read(_ request: Request, limit: Int) async throws -> Files {
        let mediaType = request.headers[.contentType].map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
        switch mediaType {
        case "application/x-tar", "application/tar":
            let buffer = try await RequestBody.collect(request, limit: limit)
            return try fromTar(Array(buffer.readableBytesView))
        case .some(let type) where !RequestBody.isJSON(type):
            throw ProblemError(
                .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported body type",
                detail: "send the policy files as application/json ({\"files\": {\"name.yaml\": \"…\"}}) or application/x-tar (got \(type.prefix(100)))")
        default:
            return try fromJSON(try await RequestBody.jsonObject(request, limit: limit))
        }
    }

    static func fromJSON(_ object: [String: JSONValue]) throws -> Files {
        let map: [String: JSONValue]
        if object.count == 1, case .object(let inner)? = object["files"] {
            map = inner
        } else if object["files"] != nil {
            throw ProblemError.validation([FieldError(
                field: "files", message: "must be an object mapping file names to their YAML text")])
        } else {
            map = object
        }
        guard map.count <= maxFiles else {
            throw ProblemError.validation([FieldError(field: "files", message: "at most \(maxFiles) files per upload")])
        }
        var files: [String: String] = [:]
        var errors: [FieldError] = []
        for (rawName, value) in map.sorted(by: { $0.key < $1.key }) {
            let shown = String(rawName.prefix(100))
            guard case .string(let text) = value else {
                errors.append(FieldError(field: "files[\(shown)]", message: "must be the file's text as a string"))
                continue
            }
            let name: String
            do throws(TarArchive.Failure) {
                name = try TarArchive.cleanName(rawName, limits: tarLimits)
            } catch {
                errors.append(FieldError(field: "files[\(shown)]", message: error.message))
                continue
            }
            guard text.utf8.count <= maxFileBytes else {
                errors.append(FieldError(field: "files[\(shown)]", message: "is larger than \(maxFileBytes) bytes"))
                continue
            }
            guard files.updateValue(text, forKey: name) == nil else {
                errors.append(FieldError(field: "files[\(shown)]", message: "names the same file as another entry"))
                continue
            }
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        return try checked(Files(files: files, diagnostics: []))
    }

    static func fromTar(_ bytes: [UInt8]) throws -> Files {
        let entries: [(name: String, contents: [UInt8])]
        do throws(TarArchive.Failure) {
            entries = try TarArchive.files(bytes, limits: tarLimits)
        } catch {
            throw ProblemError.malformedBody("not a usable tar archive: \(error.message)")
        }
        var files: [String: String] = [:]
        var diagnostics: [Diagnostic] = []
        for (name, contents) in entries {
            if let text = String(validating: contents, as: UTF8.self) {
                files[name] = text
            } else {
                files[name] = ""
                diagnostics.append(.error(
                    "file is not UTF-8 text", at: SourceLocation(file: name, line: 1, column: 1),
                    hint: "policy files are YAML, which is UTF-8 text"))
            }
        }
        return try checked(Files(files: files, diagnostics: diagnostics))
    }

    static var tarLimits: TarArchive.Limits {
        var limits = TarArchive.Limits()
        limits.maxFiles = maxFiles
        limits.maxFileBytes = maxFileBytes
        limits.maxNameBytes = maxNameBytes
        return limits
    }

    /// An upload must hold at least one policy file: an empty body is more likely a
    /// mistake than a wish to drop every tenant rule (for that, upload a file with
    /// `rules: []`).
    static func checked(_ upload: Files) throws -> Files {
        guard upload.files.keys.contains(where: isYAML) else {
            throw ProblemError.validation([FieldError(
                field: "files", message: "name at least one .yaml or .yml policy file")])
        }
        return upload
    }

    static func isYAML(_ name: String) -> Bool {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return (base.hasSuffix(".yaml") || base.hasSuffix(".yml")) && !base.hasPrefix(".")
    }
}
