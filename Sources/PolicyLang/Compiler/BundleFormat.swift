/// The on-disk form of a `PolicyBundle` (`arbiter policy compile -o FILE`):
///
///     "ARBP" magic, u16 format version,
///     symbols, file names, rules (id, effect, actions, resource type, annotations,
///     location, chunk), dispatch index, u32 FNV-1a checksum of everything before it.
///
/// Integers are little-endian; strings are a u32 byte count and UTF-8. Loading checks
/// magic, version, checksum, every length against the bytes left, and each chunk with
/// `Chunk.verify`, so a truncated, damaged or foreign file is an error, never a crash.
public enum BundleFormat {
    static let magic: [UInt8] = Array("ARBP".utf8)

    public static func encode(_ bundle: PolicyBundle) -> [UInt8] {
        var w = ByteWriter()
        w.bytes(magic)
        w.u16(PolicyBundle.formatVersion)
        w.u32(bundle.symbols.count)
        for s in bundle.symbols.strings { w.string(s) }

        var files: [String] = []
        var fileIndex: [String: Int] = [:]
        func file(_ name: String) -> Int {
            if let i = fileIndex[name] { return i }
            files.append(name)
            fileIndex[name] = files.count - 1
            return files.count - 1
        }
        var body = ByteWriter()
        body.u32(bundle.rules.count)
        for rule in bundle.rules {
            body.string(rule.id)
            body.u8(rule.effect == .allow ? 0 : 1)
            body.optional(rule.actions) { w, actions in
                w.u32(actions.count)
                for a in actions { w.string(a) }
            }
            body.optional(rule.resourceType) { w, t in w.string(t) }
            body.u32(rule.annotations.count)
            for key in rule.annotations.keys.sorted() {
                body.string(key)
                body.string(rule.annotations[key]!)
            }
            body.location(rule.location, file: file)
            encodeChunk(rule.chunk, into: &body, file: file)
        }
        let index = bundle.index
        body.u32(index.order.count)
        for i in index.order { body.i32(i) }
        // Sorted so that equal bundles encode to equal bytes (dictionary order is random).
        func sortKey(_ k: DispatchIndex.Key) -> String {
            (k.action.map { "1" + $0 } ?? "0") + "\u{0}" + (k.resourceType.map { "1" + $0 } ?? "0")
        }
        let keys = index.buckets.keys.sorted { sortKey($0) < sortKey($1) }
        body.u32(keys.count)
        for key in keys {
            body.optional(key.action) { w, a in w.string(a) }
            body.optional(key.resourceType) { w, t in w.string(t) }
            let positions = index.buckets[key]!
            body.u32(positions.count)
            for p in positions { body.i32(p) }
        }

        w.u32(files.count)
        for f in files { w.string(f) }
        w.bytes(body.buffer)
        w.u32(Int(fnv1a(w.buffer)))
        return w.buffer
    }

    private static func encodeChunk(_ chunk: Chunk, into w: inout ByteWriter, file: (String) -> Int) {
        w.u32(chunk.code.count)
        w.bytes(chunk.code)
        w.u32(chunk.constants.count)
        for c in chunk.constants { encodeConstant(c, into: &w) }
        w.u32(chunk.patterns.count)
        for pattern in chunk.patterns {
            w.u32(pattern.count)
            for token in pattern {
                switch token {
                case .wildcard: w.u8(0)
                case .scalar(let s): w.u8(1); w.u32(Int(s.value))
                }
            }
        }
        w.u32(chunk.recordShapes.count)
        for shape in chunk.recordShapes {
            w.u32(shape.count)
            for key in shape { w.u32(Int(key)) }
        }
        w.u32(chunk.locations.count)
        for entry in chunk.locations {
            w.u32(entry.offset)
            w.location(entry.location, file: file)
        }
        w.u32(chunk.maxStackDepth)
    }

    private static func encodeConstant(_ c: Constant, into w: inout ByteWriter) {
        switch c {
        case .bool(let b): w.u8(0); w.u8(b ? 1 : 0)
        case .long(let n): w.u8(1); w.u64(UInt64(bitPattern: n))
        case .string(let s): w.u8(2); w.u32(Int(s))
        case .entity(let t, let i): w.u8(3); w.u32(Int(t)); w.u32(Int(i))
        case .set(let elements):
            w.u8(4); w.u32(elements.count)
            for e in elements { encodeConstant(e, into: &w) }
        case .record(let fields):
            w.u8(5); w.u32(fields.count)
            for f in fields { w.u32(Int(f.key)); encodeConstant(f.value, into: &w) }
        case .ipaddr(let ip):
            w.u8(6); w.u8(ip.isIPv4 ? 1 : 0)
            w.u64(UInt64(truncatingIfNeeded: ip.address >> 64)); w.u64(UInt64(truncatingIfNeeded: ip.address))
            w.u8(ip.prefixLength)
        case .decimal(let d): w.u8(7); w.u64(UInt64(bitPattern: d.scaled))
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(BundleFormatError) -> PolicyBundle {
        guard bytes.count >= 10, Array(bytes[0..<4]) == magic else {
            throw BundleFormatError("not an Arbiter policy bundle (bad magic)")
        }
        let payload = bytes[..<(bytes.count - 4)]
        var tail = ByteReader(bytes[(bytes.count - 4)...])
        guard try tail.u32() == Int(fnv1a(payload)) else {
            throw BundleFormatError("bundle checksum mismatch: the file is damaged")
        }
        var r = ByteReader(payload)
        _ = try r.bytes(4)
        let version = try r.u16()
        guard version == PolicyBundle.formatVersion else {
            throw BundleFormatError(
                "bundle format version \(version) is not supported (this build reads version \(PolicyBundle.formatVersion)); compile the policies again")
        }
        var symbols = SymbolTable()
        for _ in 0..<(try r.count()) {
            let s = try r.string()
            guard symbols.intern(s) == UInt32(symbols.count - 1) else { throw BundleFormatError("duplicate symbol") }
        }
        let files = try (0..<(try r.count())).map { _ throws(BundleFormatError) in try r.string() }
        var rules: [CompiledRule] = []
        for _ in 0..<(try r.count()) {
            let id = try r.string()
            let effect: Rule.Effect
            switch try r.u8() {
            case 0: effect = .allow
            case 1: effect = .deny
            default: throw BundleFormatError("bad effect in rule \(id)")
            }
            let actions = try r.optional { r throws(BundleFormatError) in
                try (0..<(try r.count())).map { _ throws(BundleFormatError) in try r.string() }
            }
            let resourceType = try r.optional { r throws(BundleFormatError) in try r.string() }
            var annotations: [String: String] = [:]
            for _ in 0..<(try r.count()) { annotations[try r.string()] = try r.string() }
            let location = try r.location(files: files)
            let chunk = try decodeChunk(&r, files: files)
            if let problem = chunk.verify(symbolCount: symbols.count) {
                throw BundleFormatError("rule \(id): \(problem)")
            }
            rules.append(CompiledRule(
                id: id, effect: effect, actions: actions, resourceType: resourceType, chunk: chunk,
                annotations: annotations, location: location))
        }
        let order = try (0..<(try r.count())).map { _ throws(BundleFormatError) in try r.i32() }
        guard order.count == rules.count, Set(order) == Set((0..<rules.count).map { Int32($0) }) else {
            throw BundleFormatError("dispatch index order does not cover the rules")
        }
        var buckets: [DispatchIndex.Key: [Int32]] = [:]
        for _ in 0..<(try r.count()) {
            let action = try r.optional { r throws(BundleFormatError) in try r.string() }
            let type = try r.optional { r throws(BundleFormatError) in try r.string() }
            let positions = try (0..<(try r.count())).map { _ throws(BundleFormatError) in try r.i32() }
            guard positions.allSatisfy({ $0 >= 0 && Int($0) < order.count }), positions == positions.sorted() else {
                throw BundleFormatError("dispatch index bucket out of range")
            }
            buckets[DispatchIndex.Key(action: action, resourceType: type)] = positions
        }
        guard r.isAtEnd else { throw BundleFormatError("trailing bytes after the dispatch index") }
        return PolicyBundle(symbols: symbols, rules: rules, index: DispatchIndex(buckets: buckets, order: order))
    }

    private static func decodeChunk(_ r: inout ByteReader, files: [String]) throws(BundleFormatError) -> Chunk {
        var chunk = Chunk()
        chunk.code = try r.bytes(try r.count())
        chunk.constants = try (0..<(try r.count())).map { _ throws(BundleFormatError) in try decodeConstant(&r, depth: 0) }
        for _ in 0..<(try r.count()) {
            var pattern: [PatternToken] = []
            for _ in 0..<(try r.count()) {
                switch try r.u8() {
                case 0: pattern.append(.wildcard)
                case 1:
                    guard let scalar = Unicode.Scalar(UInt32(try r.u32())) else { throw BundleFormatError("bad scalar in pattern") }
                    pattern.append(.scalar(scalar))
                default: throw BundleFormatError("bad pattern token")
                }
            }
            chunk.patterns.append(pattern)
        }
        for _ in 0..<(try r.count()) {
            chunk.recordShapes.append(try (0..<(try r.count())).map { _ throws(BundleFormatError) in UInt32(try r.u32()) })
        }
        for _ in 0..<(try r.count()) {
            let offset = try r.u32()
            chunk.locations.append(.init(offset: offset, location: try r.location(files: files)))
        }
        chunk.maxStackDepth = try r.u32()
        return chunk
    }

    private static func decodeConstant(_ r: inout ByteReader, depth: Int) throws(BundleFormatError) -> Constant {
        guard depth < 64 else { throw BundleFormatError("constant nested too deeply") }
        switch try r.u8() {
        case 0: return .bool(try r.u8() != 0)
        case 1: return .long(Int64(bitPattern: try r.u64()))
        case 2: return .string(UInt32(try r.u32()))
        case 3: return .entity(type: UInt32(try r.u32()), id: UInt32(try r.u32()))
        case 4:
            return .set(try (0..<(try r.count())).map { _ throws(BundleFormatError) in try decodeConstant(&r, depth: depth + 1) })
        case 5:
            return .record(try (0..<(try r.count())).map { _ throws(BundleFormatError) in
                Constant.RecordField(key: UInt32(try r.u32()), value: try decodeConstant(&r, depth: depth + 1))
            })
        case 6:
            let v4 = try r.u8() != 0
            let high = try r.u64(), low = try r.u64()
            let prefix = try r.u8()
            guard prefix <= (v4 ? 32 : 128) else { throw BundleFormatError("bad ip prefix") }
            return .ipaddr(IPAddress(isIPv4: v4, address: UInt128(high) << 64 | UInt128(low), prefixLength: prefix))
        case 7: return .decimal(CedarDecimal(scaled: Int64(bitPattern: try r.u64())))
        default: throw BundleFormatError("bad constant tag")
        }
    }

    static func fnv1a<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}

public struct BundleFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

struct ByteWriter {
    var buffer: [UInt8] = []

    mutating func u8(_ v: UInt8) { buffer.append(v) }
    mutating func u16(_ v: UInt16) { buffer.append(UInt8(v & 0xFF)); buffer.append(UInt8(v >> 8)) }
    mutating func u32(_ v: Int) {
        let v = UInt32(clamping: v)
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
    mutating func i32(_ v: Int32) { u32(Int(UInt32(bitPattern: v))) }
    mutating func u64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { buffer.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }
    mutating func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }
    mutating func string(_ s: String) {
        u32(s.utf8.count)
        buffer.append(contentsOf: s.utf8)
    }
    mutating func optional<T>(_ value: T?, _ body: (inout ByteWriter, T) -> Void) {
        if let value {
            u8(1)
            body(&self, value)
        } else {
            u8(0)
        }
    }
    mutating func location(_ loc: SourceLocation, file: (String) -> Int) {
        u32(file(loc.file))
        u32(loc.line)
        u32(loc.column)
    }
}

struct ByteReader {
    private let data: ArraySlice<UInt8>
    private var position: Int

    init(_ data: ArraySlice<UInt8>) {
        self.data = data
        position = data.startIndex
    }

    var isAtEnd: Bool { position == data.endIndex }

    mutating func bytes(_ n: Int) throws(BundleFormatError) -> [UInt8] {
        guard n >= 0, data.endIndex - position >= n else { throw BundleFormatError("bundle is truncated") }
        defer { position += n }
        return Array(data[position..<(position + n)])
    }
    mutating func u8() throws(BundleFormatError) -> UInt8 { try bytes(1)[0] }
    mutating func u16() throws(BundleFormatError) -> UInt16 {
        let b = try bytes(2)
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }
    mutating func u32() throws(BundleFormatError) -> Int {
        let b = try bytes(4)
        return Int(b[0]) | Int(b[1]) << 8 | Int(b[2]) << 16 | Int(b[3]) << 24
    }
    mutating func i32() throws(BundleFormatError) -> Int32 { Int32(bitPattern: UInt32(try u32())) }
    mutating func u64() throws(BundleFormatError) -> UInt64 {
        let b = try bytes(8)
        return b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
    }
    /// An element count, refused when it cannot fit in the bytes left (every element
    /// takes at least one byte), so a forged count cannot make us allocate gigabytes.
    mutating func count() throws(BundleFormatError) -> Int {
        let n = try u32()
        guard n <= data.endIndex - position else { throw BundleFormatError("bundle is truncated (count \(n))") }
        return n
    }
    mutating func string() throws(BundleFormatError) -> String {
        let b = try bytes(try count())
        guard let s = String(validating: b, as: UTF8.self) else { throw BundleFormatError("invalid UTF-8 in bundle") }
        return s
    }
    mutating func optional<T>(_ body: (inout ByteReader) throws(BundleFormatError) -> T) throws(BundleFormatError) -> T? {
        switch try u8() {
        case 0: return nil
        case 1: return try body(&self)
        default: throw BundleFormatError("bad optional tag")
        }
    }
    mutating func location(files: [String]) throws(BundleFormatError) -> SourceLocation {
        let f = try u32()
        guard f < files.count else { throw BundleFormatError("file index out of range") }
        return SourceLocation(file: files[f], line: try u32(), column: try u32())
    }
}
