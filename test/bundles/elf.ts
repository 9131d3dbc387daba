// Reads the few facts about an ELF file that decide whether sshpod can copy it into any
// container: word size, machine, whether it needs a dynamic loader, whether it was stripped.
// Only 64-bit little-endian files are parsed (both bundle targets are); anything else throws.

export interface ElfFacts {
  elfClass: 64;
  machine: number;
  /** e_type: 2 = ET_EXEC (fixed address), 3 = ET_DYN (PIE or shared object). */
  type: number;
  programHeaderTypes: number[];
  sectionTypes: number[];
}

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const SHT_SYMTAB = 2;

export function parseElf(buf: Buffer): ElfFacts {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (buf[4] !== 2) throw new Error(`not a 64-bit ELF file (EI_CLASS ${buf[4]})`);
  if (buf[5] !== 1) throw new Error(`not a little-endian ELF file (EI_DATA ${buf[5]})`);
  const type = buf.readUInt16LE(16);
  const machine = buf.readUInt16LE(18);
  const phoff = Number(buf.readBigUInt64LE(32));
  const shoff = Number(buf.readBigUInt64LE(40));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);
  const shentsize = buf.readUInt16LE(58);
  const shnum = buf.readUInt16LE(60);
  const table = (off: number, size: number, count: number) => {
    if (count > 0 && off + size * count > buf.length) throw new Error('ELF header table past end of file');
    // p_type and sh_type are both the 32-bit word right after the entry's start (+0 and +4).
    return (at: number) => Array.from({ length: count }, (_, i) => buf.readUInt32LE(off + i * size + at));
  };
  return {
    elfClass: 64,
    machine,
    type,
    programHeaderTypes: table(phoff, phentsize, phnum)(0),
    sectionTypes: table(shoff, shentsize, shnum)(4),
  };
}
