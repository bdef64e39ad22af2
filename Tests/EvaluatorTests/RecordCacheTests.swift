import Foundation
import Testing
@testable import Evaluator

/// The reader caches' replacement rules, on the cache alone: which keys a set keeps and
/// which it gives up. (`GraphReaderTests` and `WalkedClosureTests` cover what readers
/// answer through it.)
@Suite struct RecordCacheTests {
    /// Distinct keys of the same length (like a tenant's entity keys) that land in one set.
    static func keys(inSetOf first: [UInt8], count: Int, table: RecordCache.Table = .entities) -> [[UInt8]] {
        func set(_ key: [UInt8]) -> Int { key.withUnsafeBytes { Int(truncatingIfNeeded: RecordCache.hash(table, $0)) & (RecordCache.sets - 1) } }
        let target = set(first)
        var found = [first]
        var n = 0
        while found.count < count {
            let key = Array("tenant/User/u\(n)".utf8) + [0]
            n += 1
            if key != first, set(key) == target { found.append(key) }
        }
        return found
    }

    /// A distinct pointer per value, so a lookup can tell which record it got back.
    static func record(_ n: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: 0x1000 * (n + 1)), count: n + 1)
    }

    static func lookup(_ cache: RecordCache, _ key: [UInt8], table: RecordCache.Table = .entities) -> UnsafeRawBufferPointer?? {
        key.withUnsafeBytes { cache.lookup(table, $0) }
    }

    static func insert(_ cache: inout RecordCache, _ key: [UInt8], _ record: UnsafeRawBufferPointer?, table: RecordCache.Table = .entities) {
        key.withUnsafeBytes { cache.insert(table, $0, record) }
    }

    /// Keys that share a set all stay, up to its ways: with one slot a key (as before),
    /// the second would have evicted the first on every pass.
    @Test func keysOfOneSetStayUpToItsWays() {
        var cache = RecordCache()
        defer { cache.deallocate() }
        let keys = Self.keys(inSetOf: Array("tenant/User/alice".utf8) + [0], count: 4)
        for (n, key) in keys.enumerated() { Self.insert(&cache, key, Self.record(n)) }
        for _ in 0..<3 {
            for (n, key) in keys.enumerated() {
                let found = Self.lookup(cache, key)
                #expect(found??.baseAddress == Self.record(n).baseAddress)
                #expect(found??.count == n + 1)
            }
        }
    }

    /// One key more than the ways replaces one entry (the set's oldest), never the new
    /// key, and the set keeps answering the rest.
    @Test func aFullSetReplacesItsEntriesInTurn() {
        var cache = RecordCache()
        defer { cache.deallocate() }
        let keys = Self.keys(inSetOf: Array("tenant/Document/d1".utf8) + [0], count: RecordCache.ways + 2)
        for (n, key) in keys.prefix(RecordCache.ways).enumerated() { Self.insert(&cache, key, Self.record(n)) }
        Self.insert(&cache, keys[RecordCache.ways], Self.record(RecordCache.ways))
        #expect(Self.lookup(cache, keys[0]) == nil)
        for n in 1...RecordCache.ways { #expect(Self.lookup(cache, keys[n])??.baseAddress == Self.record(n).baseAddress) }
        Self.insert(&cache, keys[RecordCache.ways + 1], Self.record(RecordCache.ways + 1))
        #expect(Self.lookup(cache, keys[1]) == nil)
        for n in 2...(RecordCache.ways + 1) { #expect(Self.lookup(cache, keys[n])??.baseAddress == Self.record(n).baseAddress) }
    }

    /// Inserting a cached key again updates its slot instead of taking a second one (which
    /// would leave the old value to be found, and crowd the set).
    @Test func insertingACachedKeyAgainUpdatesIt() {
        var cache = RecordCache()
        defer { cache.deallocate() }
        let keys = Self.keys(inSetOf: Array("tenant/Folder/f".utf8) + [0], count: 4)
        for (n, key) in keys.enumerated() { Self.insert(&cache, key, Self.record(n)) }
        Self.insert(&cache, keys[2], nil)
        let none = Self.lookup(cache, keys[2])
        #expect(none != nil && none! == nil)
        Self.insert(&cache, keys[2], Self.record(9))
        for (n, key) in keys.enumerated() {
            #expect(Self.lookup(cache, key)??.baseAddress == Self.record(n == 2 ? 9 : n).baseAddress)
        }
    }

    /// The same bytes under another table are another key; an invalidated cache finds
    /// nothing; a key longer than a slot is not kept.
    @Test func tablesInvalidationAndLongKeys() {
        var cache = RecordCache()
        defer { cache.deallocate() }
        let key = Array("tenant/User/bob".utf8) + [0]
        Self.insert(&cache, key, Self.record(1))
        #expect(Self.lookup(cache, key, table: .ancestors) == nil)
        Self.insert(&cache, key, Self.record(2), table: .ancestors)
        #expect(Self.lookup(cache, key)??.baseAddress == Self.record(1).baseAddress)
        #expect(Self.lookup(cache, key, table: .ancestors)??.baseAddress == Self.record(2).baseAddress)
        cache.invalidate()
        #expect(Self.lookup(cache, key) == nil)
        #expect(Self.lookup(cache, key, table: .ancestors) == nil)
        let long = [UInt8](repeating: 0x61, count: RecordCache.slotBytes + 1)
        Self.insert(&cache, long, Self.record(3))
        #expect(Self.lookup(cache, long) == nil)
    }
}
