/// A small, bounded reader of POSIX ustar archives (what `tar -cf` writes), for policy
/// bundle uploads sent as `Content-Type: application/x-tar`.
///
/// Hand-written because no tar package is among the project's allowed dependencies (DESIGN
/// §6), and because an upload needs far less than a general archiver: only regular files
/// are accepted, and every bound is checked before a byte is copied. It reads from memory
/// (the body is already capped at the server's maximum), never touches the disk, and
/// refuses rather than guesses: links, devices, GNU long-name records, names with `..` or a
/// leading `/`, bad header checksums, truncated data. Directory entries are skipped, as are
/// pax headers (their `path=` record, if any, names the next file) and macOS `._*`
/// resource-fork companions.
struct TarArchive {
    struct Limits {
        var maxFiles = 200
        var maxFileBytes = 1 << 20
        var maxTotalBytes = 8 << 20
        var maxNameBytes = 255
    }

    struct Failure: Error, Equatable {
        var message: String
    }

    static let blockSize = 512

    /// The regular files of the archive, name → bytes, in archive order.
    static func files(_ bytes: [UInt8], limits: Limits = Limits()) throws(Failure) -> [(name: String, contents: [UInt8])] {
        var files: [(name: String, contents: [UInt8])] = []
        var seen: Set<String> = []
        var total = 0
        var offset = 0
        var paxPath: String?
        guard bytes.count >= blockSize else {
            throw Failure(message: "the body is not a tar archive (shorter than one 512-byte header)")
        }
        while offset + blockSize <= bytes.count {
            let header = bytes[offset..<(offset + blockSize)]
            // Two zero blocks end the archive; one is enough to stop reading.
            if header.allSatisfy({ $0 == 0 }) { break }
            try checkChecksum(header, at: offset)
            let size = try octal(header, 124, 12, what: "size", at: offset)
            let type = header[header.startIndex + 156]
            let dataStart = offset + blockSize
            let padded = (size + blockSize - 1) / blockSize * blockSize
            // The last entry's padding may be missing; its data may not.
            guard size <= bytes.count - dataStart else {
                throw Failure(message: "the archive is truncated: an entry at byte \(offset) declares \(size) bytes")
            }
            let data = bytes[dataStart..<(dataStart + size)]
            offset = dataStart + padded
            let name = paxPath ?? headerName(header)
            switch type {
            case UInt8(ascii: "x"):
                guard size <= 64 << 10 else { throw Failure(message: "a pax header of \(size) bytes is too large") }
                paxPath = paxRecord("path", Array(data))
                continue
            case UInt8(ascii: "g"):
                continue
            case UInt8(ascii: "5"):
                paxPath = nil
                continue
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                paxPath = nil
            default:
                throw Failure(message: "'\(name.prefix(100))' is not a regular file (tar type '\(Character(Unicode.Scalar(type)))'); only regular files are accepted")
            }
            let clean = try cleanName(name, limits: limits)
            if clean.split(separator: "/").last?.hasPrefix("._") == true { continue }
            guard files.count < limits.maxFiles else {
                throw Failure(message: "the archive holds more than \(limits.maxFiles) files")
            }
            guard size <= limits.maxFileBytes else {
                throw Failure(message: "'\(clean)' is \(size) bytes; the limit is \(limits.maxFileBytes) per file")
            }
            total += size
            guard total <= limits.maxTotalBytes else {
                throw Failure(message: "the files exceed \(limits.maxTotalBytes) bytes in total")
            }
            guard seen.insert(clean).inserted else { throw Failure(message: "'\(clean)' is in the archive twice") }
            files.append((clean, Array(data)))
        }
        return files
    }

    /// `prefix/name` of a ustar header (name alone for pre-POSIX archives).
    static func headerName(_ header: ArraySlice<UInt8>) -> String {
        let name = string(header, 0, 100)
        let magic = string(header, 257, 6)
        guard magic.hasPrefix("ustar") else { return name }
        let prefix = string(header, 345, 155)
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// A relative name without `.` segments; refuses absolute names, `..`, empty names.
    static func cleanName(_ raw: String, limits: Limits) throws(Failure) -> String {
        guard !raw.isEmpty, raw.utf8.count <= limits.maxNameBytes else {
            throw Failure(message: "an entry has an empty name or one longer than \(limits.maxNameBytes) bytes")
        }
        guard !raw.hasPrefix("/") else { throw Failure(message: "'\(raw.prefix(100))' is an absolute path") }
        var parts: [Substring] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            guard part != ".." else { throw Failure(message: "'\(raw.prefix(100))' contains '..'") }
            parts.append(part)
        }
        guard !parts.isEmpty else { throw Failure(message: "an entry has an empty name") }
        return parts.joined(separator: "/")
    }

    static func checkChecksum(_ header: ArraySlice<UInt8>, at offset: Int) throws(Failure) {
        let stored = try octal(header, 148, 8, what: "checksum", at: offset)
        var sum = 0
        for (i, byte) in header.enumerated() {
            sum += (148..<156).contains(i) ? 0x20 : Int(byte)
        }
        guard sum == stored else {
            throw Failure(message: "the tar header at byte \(offset) has a bad checksum; is the body a tar archive?")
        }
    }

    /// A NUL/space-terminated octal field. Base-256 sizes (files over 8 GiB) are refused.
    static func octal(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, what: String, at offset: Int) throws(Failure) -> Int {
        let field = header[(header.startIndex + start)..<(header.startIndex + start + length)]
        var value = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == 0x20 {
                if digits > 0 { break } else { continue }
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte), digits < 11 else {
                throw Failure(message: "the tar header at byte \(offset) has an invalid \(what) field; is the body a tar archive?")
            }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return value
    }

    static func string(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> String {
        let field = header[(header.startIndex + start)..<(header.startIndex + start + length)]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    /// The value of `key` in pax extended-header records (`"<len> key=value\n"`).
    static func paxRecord(_ key: String, _ data: [UInt8]) -> String? {
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: 0x20),
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
                index + length <= data.count
            else { return nil }
            let record = String(decoding: data[(space + 1)..<(index + length)], as: UTF8.self)
            if record.hasPrefix(key + "="), record.hasSuffix("\n") {
                return String(record.dropFirst(key.count + 1).dropLast())
            }
            index += length
        }
        return nil
    }
}
