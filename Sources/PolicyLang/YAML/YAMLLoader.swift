import CYAML

/// Bounds applied while reading untrusted YAML. Defaults are documented in the README's
/// policy-language section; each one turns an attack (YAML bomb, deep nesting, giant
/// scalar) into a diagnostic instead of memory exhaustion or a stack overflow.
public struct YAMLLimits: Sendable {
    public var maxDocumentBytes = 1 << 20
    public var maxDepth = 64
    public var maxScalarBytes = 64 << 10
    public var maxNodes = 200_000

    public init() {}
}

public struct YAMLError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public var location: SourceLocation
    public var hint: String?

    public init(_ message: String, at location: SourceLocation, hint: String? = nil) {
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var description: String { "\(location): \(message)" }
}

/// Reads YAML through libyaml's event API (DESIGN §2): it gives line and column for every
/// node, and lets us refuse aliases outright and count depth, size and nodes as we go,
/// which a tree-building loader could not do before the damage is done.
public enum YAMLLoader {
    public static func load(_ text: String, file: String, limits: YAMLLimits = YAMLLimits()) throws -> [YAMLNode] {
        let bytes = Array(text.utf8)
        guard bytes.count <= limits.maxDocumentBytes else {
            throw YAMLError(
                "file is \(bytes.count) bytes; the limit is \(limits.maxDocumentBytes)",
                at: SourceLocation(file: file, line: 1, column: 1),
                hint: "split it into several files")
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw YAMLError("out of memory", at: SourceLocation(file: file, line: 1, column: 1))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = Builder(file: file, limits: limits)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw builder.parserError(parser)
                }
                defer { yaml_event_delete(&event) }
                if try builder.consume(&event) { break }
            }
            return builder.documents
        }
    }

    private struct Builder {
        let file: String
        let limits: YAMLLimits
        var documents: [YAMLNode] = []
        /// Open collections: a sequence's items, or a mapping's flat key/value list.
        var stack: [(isMapping: Bool, items: [YAMLNode], at: SourceLocation)] = []
        var nodeCount = 0

        init(file: String, limits: YAMLLimits) {
            self.file = file
            self.limits = limits
        }

        func location(_ mark: yaml_mark_t) -> SourceLocation {
            SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
        }

        func parserError(_ parser: yaml_parser_t) -> YAMLError {
            let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
            let context = parser.context.map { String(cString: $0) }
            let message = context.map { "\(problem) (\($0))" } ?? problem
            return YAMLError(
                message, at: location(parser.problem_mark),
                hint: "check indentation, colons and quotes near this position")
        }

        /// Returns true at the end of the stream.
        mutating func consume(_ event: inout yaml_event_t) throws -> Bool {
            let at = location(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return true
            case YAML_ALIAS_EVENT:
                throw YAMLError(
                    "aliases (*name) are not allowed", at: at,
                    hint: "write the value out in full; aliases make small files expand without bound")
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                if scalar.anchor != nil { throw anchorError(at) }
                guard scalar.length <= limits.maxScalarBytes else {
                    throw YAMLError("scalar of \(scalar.length) bytes; the limit is \(limits.maxScalarBytes)", at: at)
                }
                let text = String(
                    decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let quoted = scalar.style != YAML_PLAIN_SCALAR_STYLE && scalar.style != YAML_ANY_SCALAR_STYLE
                try add(.scalar(text, quoted: quoted, at: at))
            case YAML_SEQUENCE_START_EVENT:
                if event.data.sequence_start.anchor != nil { throw anchorError(at) }
                try open(isMapping: false, at: at)
            case YAML_MAPPING_START_EVENT:
                if event.data.mapping_start.anchor != nil { throw anchorError(at) }
                try open(isMapping: true, at: at)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let top = stack.removeLast()
                if top.isMapping {
                    var pairs: [YAMLPair] = []
                    var seen: [String: SourceLocation] = [:]
                    var index = 0
                    while index + 1 < top.items.count {
                        let key = top.items[index]
                        if let text = key.scalarText {
                            if let first = seen[text] {
                                throw YAMLError(
                                    "duplicate key '\(text)'", at: key.location,
                                    hint: "it was first given at line \(first.line)")
                            }
                            seen[text] = key.location
                        }
                        pairs.append(YAMLPair(key: key, value: top.items[index + 1]))
                        index += 2
                    }
                    try add(.mapping(pairs, at: top.at))
                } else {
                    try add(.sequence(top.items, at: top.at))
                }
            default:
                // Stream/document start and end carry nothing we keep.
                break
            }
            return false
        }

        func anchorError(_ at: SourceLocation) -> YAMLError {
            YAMLError("anchors (&name) are not allowed", at: at, hint: "write the value out in full")
        }

        mutating func open(isMapping: Bool, at: SourceLocation) throws {
            guard stack.count < limits.maxDepth else {
                throw YAMLError("nesting deeper than \(limits.maxDepth) levels", at: at)
            }
            stack.append((isMapping, [], at))
        }

        mutating func add(_ node: YAMLNode) throws {
            nodeCount += 1
            guard nodeCount <= limits.maxNodes else {
                throw YAMLError("more than \(limits.maxNodes) nodes in one file", at: node.location)
            }
            if stack.isEmpty {
                documents.append(node)
            } else {
                stack[stack.count - 1].items.append(node)
            }
        }
    }
}
