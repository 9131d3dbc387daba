// The bundles must run in any Linux container: static (no loader, no shared libraries),
// 64-bit, the right machine, and stripped to keep the copy into the pod small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Arch, arches, readRawSshd } from './bundle.ts';
import { EM_AARCH64, EM_X86_64, PT_DYNAMIC, PT_INTERP, SHT_SYMTAB, parseElf } from './elf.ts';

const machines: Record<Arch, number> = { amd64: EM_X86_64, arm64: EM_AARCH64 };

for (const arch of arches) {
  test(`linux/${arch} sshd is a static, stripped, 64-bit ${arch} executable`, () => {
    const elf = parseElf(readRawSshd(arch));
    assert.equal(elf.elfClass, 64);
    assert.equal(elf.machine, machines[arch]);
    assert.equal(elf.type, 2, 'ET_EXEC: a fixed-address static executable, not a static PIE');
    assert.ok(!elf.programHeaderTypes.includes(PT_INTERP), 'has PT_INTERP: needs a dynamic loader');
    assert.ok(!elf.programHeaderTypes.includes(PT_DYNAMIC), 'has PT_DYNAMIC: dynamically linked');
    assert.ok(!elf.sectionTypes.includes(SHT_SYMTAB), 'has a symbol table: not stripped');
  });
}

test('parseElf rejects what is not a 64-bit little-endian ELF file', () => {
  assert.throws(() => parseElf(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(64))), /not an ELF file/);
  const elf32 = Buffer.alloc(64);
  elf32.write('\x7fELF\x01\x01', 'latin1');
  assert.throws(() => parseElf(elf32), /not a 64-bit ELF file/);
});
