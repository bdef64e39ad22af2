import PolicyLang
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The compact binary form of an entity's attributes in LMDB.
///
/// JSON would force decoding a whole entity to read one attribute. This layout is a
/// directory followed by the values, so a lookup compares name bytes in the mapped page
/// and decodes only the value it needs:
///
///     u32 count
///     count × (u16 name length, name bytes, u32 value offset, u32 value length)
///     values…                      (offsets are from the start of the values area)
///
/// A value is a tag byte and its payload; integers are little-endian:
///     0x00 false | 0x01 true | 0x02 long i64 | 0x03 string (u32 len, bytes)
///     0x04 entity (u32 len, type, u32 len, id) | 0x05 set (u32 count, values…)
///     0x06 record (u32 count, (u32 len, name, value)…) | 0x07 ipaddr (u8 v4, u128, u8 prefix)
///     0x08 decimal (i64 scaled)
/// Names in the directory are sorted by bytes so two encodings of equal records are equal.
public enum AttributeCodec {
    enum Tag: UInt8 {
        case `false` = 0, `true`, long, string, entity, set, record, ipaddr, decimal
    }

    public static func encode(_ attributes: [String: Value]) -> [UInt8] {
        let names = attributes.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var values: [UInt8] = []
        var directory: [UInt8] = []
        appendUInt32(UInt32(names.count), to: &directory)
        for name in names {
            let start = values.count
            encodeValue(attributes[name]!, into: &values)
            let nameBytes = Array(name.utf8)
            appendUInt16(UInt16(nameBytes.count), to: &directory)
            directory.append(contentsOf: nameBytes)
            appendUInt32(UInt32(start), to: &directory)
            appendUInt32(UInt32(values.count - start), to: &directory)
        }
        return directory + values
    }

    /// Finds one attribute's encoded value without decoding anything else.
    /// Returns nil when absent; throws on bytes this encoder never writes.
    public static func find(_ name: String, in record: UnsafeRawBufferPointer) throws(EntitySourceError) -> UnsafeRawBufferPointer? {
        var name = name
        if let found = name.utf8.withContiguousStorageIfAvailable({ wanted in
            Result { () throws(EntitySourceError) in try find(UnsafeRawBufferPointer(wanted), in: record) }
        }) {
            return try found.get()
        }
        name.makeContiguousUTF8()
        return try find(name, in: record)
    }

    /// `find` by the name's UTF-8 bytes: one pass over the directory comparing lengths
    /// first and bytes with `memcmp`, nothing decoded. Reads the mapped bytes directly, one
    /// bounds check an entry, where `ByteReader`'s checked reads (four calls an entry, not
    /// inlined) were most of a `has` test's cost: every rule's `has` and attribute read
    /// comes here, and a name that is absent passes the whole directory.
    public static func find(_ wanted: UnsafeRawBufferPointer, in record: UnsafeRawBufferPointer) throws(EntitySourceError) -> UnsafeRawBufferPointer? {
        guard record.count >= 4, let base = record.baseAddress else { throw corrupt }
        let end = record.count
        let count = Int(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
        var position = 4
        var match: (offset: Int, length: Int)?
        for _ in 0..<count {
            guard end - position >= 2 else { throw corrupt }
            let nameLength = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt16.self)))
            let name = position + 2
            // The name, then its value's offset and length (u32 each).
            guard end - name >= nameLength + 8 else { throw corrupt }
            position = name + nameLength + 8
            if match == nil, nameLength == wanted.count,
               nameLength == 0 || memcmp(base + name, wanted.baseAddress!, nameLength) == 0 {
                match = (Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: name + nameLength, as: UInt32.self))),
                         Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: name + nameLength + 4, as: UInt32.self))))
            }
        }
        guard let match else { return nil }
        let valuesStart = position
        guard valuesStart + match.offset + match.length <= end else { throw corrupt }
        return UnsafeRawBufferPointer(rebasing: record[(valuesStart + match.offset)..<(valuesStart + match.offset + match.length)])
    }

    /// Every attribute, for export.
    public static func decodeAll(_ record: UnsafeRawBufferPointer) throws(EntitySourceError) -> [String: Value] {
        var reader = ByteReader(record)
        let count = try reader.uint32()
        var directory: [(String, Int, Int)] = []
        for _ in 0..<count {
            let nameLength = Int(try reader.uint16())
            let name = String(decoding: try reader.bytes(nameLength), as: UTF8.self)
            directory.append((name, Int(try reader.uint32()), Int(try reader.uint32())))
        }
        let valuesStart = reader.position
        var result: [String: Value] = [:]
        for (name, offset, length) in directory {
            guard valuesStart + offset + length <= record.count else { throw corrupt }
            result[name] = try decodeValue(UnsafeRawBufferPointer(rebasing: record[(valuesStart + offset)..<(valuesStart + offset + length)]))
        }
        return result
    }

    public static func decodeValue(_ bytes: UnsafeRawBufferPointer) throws(EntitySourceError) -> Value {
        var reader = ByteReader(bytes)
        let value = try readValue(&reader, depth: 0)
        guard reader.position == bytes.count else { throw corrupt }
        return value
    }

    static let corrupt = EntitySourceError("corrupt attribute record in the graph store")

    // MARK: Values

    static func encodeValue(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .bool(let b):
            out.append(b ? Tag.true.rawValue : Tag.false.rawValue)
        case .long(let n):
            out.append(Tag.long.rawValue)
            withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
        case .string(let s):
            out.append(Tag.string.rawValue)
            appendString(s, to: &out)
        case .entity(let uid):
            out.append(Tag.entity.rawValue)
            appendString(uid.type, to: &out)
            appendString(uid.id, to: &out)
        case .set(let elements):
            out.append(Tag.set.rawValue)
            appendUInt32(UInt32(elements.count), to: &out)
            // Sets are unordered; sort encodings so equal sets encode equally.
            let encoded = elements.map { element -> [UInt8] in
                var bytes: [UInt8] = []
                encodeValue(element, into: &bytes)
                return bytes
            }.sorted { $0.lexicographicallyPrecedes($1) }
            for bytes in encoded { out.append(contentsOf: bytes) }
        case .record(let fields):
            out.append(Tag.record.rawValue)
            appendUInt32(UInt32(fields.count), to: &out)
            for name in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                appendString(name, to: &out)
                encodeValue(fields[name]!, into: &out)
            }
        case .ipaddr(let ip):
            out.append(Tag.ipaddr.rawValue)
            out.append(ip.isIPv4 ? 1 : 0)
            withUnsafeBytes(of: ip.address.littleEndian) { out.append(contentsOf: $0) }
            out.append(ip.prefixLength)
        case .decimal(let d):
            out.append(Tag.decimal.rawValue)
            withUnsafeBytes(of: d.scaled.littleEndian) { out.append(contentsOf: $0) }
        }
    }

    static func readValue(_ reader: inout ByteReader, depth: Int) throws(EntitySourceError) -> Value {
        guard depth < 64, let tag = Tag(rawValue: try reader.uint8()) else { throw corrupt }
        switch tag {
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .long: return .long(Int64(bitPattern: try reader.uint64()))
        case .string: return .string(try reader.string())
        case .entity:
            let type = try reader.string()
            return .entity(EntityUID(type: type, id: try reader.string()))
        case .set:
            let count = try reader.uint32()
            var set = Set<Value>(minimumCapacity: Int(min(count, 1024)))
            for _ in 0..<count { set.insert(try readValue(&reader, depth: depth + 1)) }
            return .set(set)
        case .record:
            let count = try reader.uint32()
            var record: [String: Value] = [:]
            for _ in 0..<count {
                let name = try reader.string()
                record[name] = try readValue(&reader, depth: depth + 1)
            }
            return .record(record)
        case .ipaddr:
            let isIPv4 = try reader.uint8() == 1
            let low = try reader.uint64()
            let high = try reader.uint64()
            let prefix = try reader.uint8()
            return .ipaddr(IPAddress(isIPv4: isIPv4, address: UInt128(high) << 64 | UInt128(low), prefixLength: prefix))
        case .decimal:
            return .decimal(CedarDecimal(scaled: Int64(bitPattern: try reader.uint64())))
        }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        appendUInt32(UInt32(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    static func appendUInt32(_ n: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
    }

    static func appendUInt16(_ n: UInt16, to out: inout [UInt8]) {
        withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
    }
}

/// Bounds-checked little-endian reads from a mapped buffer.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var position = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    mutating func bytes(_ count: Int) throws(EntitySourceError) -> UnsafeRawBufferPointer {
        guard count >= 0, position + count <= buffer.count else { throw AttributeCodec.corrupt }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)])
    }

    mutating func uint8() throws(EntitySourceError) -> UInt8 { try bytes(1)[0] }

    mutating func uint16() throws(EntitySourceError) -> UInt16 {
        UInt16(littleEndian: try bytes(2).loadUnaligned(as: UInt16.self))
    }

    mutating func uint32() throws(EntitySourceError) -> UInt32 {
        UInt32(littleEndian: try bytes(4).loadUnaligned(as: UInt32.self))
    }

    mutating func uint64() throws(EntitySourceError) -> UInt64 {
        UInt64(littleEndian: try bytes(8).loadUnaligned(as: UInt64.self))
    }

    mutating func string() throws(EntitySourceError) -> String {
        let length = Int(try uint32())
        return String(decoding: try bytes(length), as: UTF8.self)
    }
}
