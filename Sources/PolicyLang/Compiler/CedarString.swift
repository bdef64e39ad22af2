/// Cedar compares strings byte for byte (Rust `String ==`); Swift's `String ==` treats
/// canonically equivalent strings ("é" precomposed and decomposed) as equal. Every place
/// where Arbiter must agree with Cedar on string identity goes through these two helpers.
public enum CedarString {
    @inlinable
    public static func equal(_ lhs: String, _ rhs: String) -> Bool {
        // The same representation — the same small-string bytes (up to 15 inline), or
        // the same storage object, alive as both operands are — is the same bytes. Entity
        // types and ids met in a decision are mostly such (`Document` against the rule's
        // `Document`), and this skips the buffer access below (the most frequent call
        // of the VM).
        if identical(lhs, rhs) { return true }
        // Native strings are contiguous UTF-8: compare the two buffers directly (this
        // runs for every entity-type and string comparison, so it must not iterate
        // through the generic UTF-8 view).
        let fast = lhs.utf8.withContiguousStorageIfAvailable { a in
            rhs.utf8.withContiguousStorageIfAvailable { b in
                a.count == b.count && (a.count == 0 || a.elementsEqual(b))
            }
        }
        if let fast, let result = fast { return result }
        return lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// Whether two strings have the same representation: the same inline bytes (up to
    /// 15 UTF-8 bytes are stored in the value itself) or the same storage object. That
    /// implies the same bytes, since a storage object's bytes never change while the
    /// strings holding it are alive; the reverse does not hold (equal strings may have
    /// different storage), so callers use it only as a fast "yes".
    @inlinable @inline(__always)
    public static func identical(_ lhs: String, _ rhs: String) -> Bool {
        MemoryLayout<String>.size == 16
            && unsafeBitCast(lhs, to: (UInt64, UInt64).self) == unsafeBitCast(rhs, to: (UInt64, UInt64).self)
    }

    public static func hash(_ string: String, into hasher: inout Hasher) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
        hasher.combine(0xFF as UInt8)  // terminator: "ab","c" must not hash like "a","bc"
    }
}
