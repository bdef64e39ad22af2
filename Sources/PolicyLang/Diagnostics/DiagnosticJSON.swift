import Foundation

/// `--format json` output: a flat object per diagnostic, so editors and CI annotators can
/// consume it without knowing about `SourceLocation`.
extension Diagnostic: Codable {
    private enum CodingKeys: String, CodingKey {
        case file, line, column, severity, message, hint
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try c.decode(Severity.self, forKey: .severity),
            try c.decode(String.self, forKey: .message),
            at: SourceLocation(
                file: try c.decode(String.self, forKey: .file),
                line: try c.decode(Int.self, forKey: .line),
                column: try c.decode(Int.self, forKey: .column)),
            hint: try c.decodeIfPresent(String.self, forKey: .hint))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(location.file, forKey: .file)
        try c.encode(location.line, forKey: .line)
        try c.encode(location.column, forKey: .column)
        try c.encode(severity, forKey: .severity)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(hint, forKey: .hint)
    }

    /// A JSON array of diagnostics with sorted keys, one stable rendering for golden tests.
    public static func renderJSON(_ diagnostics: [Diagnostic]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and ints cannot fail.
        let data = (try? encoder.encode(diagnostics)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
