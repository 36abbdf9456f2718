/// A zip archive of stored (uncompressed) files with fixed timestamps, so the same files
/// always make the same bytes: Lambda's code hash, and with it the plan, changes only when
/// the code does.
enum ZipArchive {
    static func stored(_ files: [(name: String, contents: [UInt8])]) -> [UInt8] {
        var archive: [UInt8] = []
        var directory: [UInt8] = []
        for file in files {
            let name = Array(file.name.utf8)
            let crc = CRC32.checksum(file.contents)
            let size = UInt32(file.contents.count)
            let offset = UInt32(archive.count)
            // Version 2.0, no flags, stored, 1980-01-01 00:00.
            let common: [UInt8] = le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(size) + le32(size)
                + le16(UInt16(name.count)) + le16(0)
            archive += le32(0x0403_4b50) + common + name + file.contents
            // Made by Unix (3) so the mode below is read: a regular file, rw-r--r--.
            directory += le32(0x0201_4b50) + le16(0x0314) + common + le16(0) + le16(0) + le16(0)
                + le32(UInt32(0o100644) << 16) + le32(offset) + name
        }
        let end = le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(files.count)) + le16(UInt16(files.count))
            + le32(UInt32(directory.count)) + le32(UInt32(archive.count)) + le16(0)
        return archive + directory + end
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}

/// CRC-32 (IEEE 802.3), as zip records it.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}
