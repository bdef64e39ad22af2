import Foundation

/// JSON for records that are read rarely (tenants, users, audit events). Hot data such as
/// graph attributes gets a compact binary encoding instead.
public enum StoredJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try decoder.decode(type, from: Data(bytes))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}

extension TransactionReading {
    public func getJSON<T: Decodable>(_ type: T.Type, _ table: Table, _ key: Key) throws -> T? {
        guard let bytes = try get(table, key) else { return nil }
        return try StoredJSON.decode(type, from: bytes)
    }
}

extension WriteTransaction {
    @discardableResult
    public func putJSON<T: Encodable>(_ table: Table, _ key: Key, _ value: T, overwrite: Bool = true) throws -> Bool {
        try put(table, key, try StoredJSON.encode(value), overwrite: overwrite)
    }
}
