package org.ipccourse.classes;

import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites a class file so that every backward jump (a loop's back-edge) first calls
 * {@link CellInterrupts#check()}. The call takes and leaves nothing on the operand stack and adds
 * no branch, so the existing stack map frames stay valid; ASM moves them to the new offsets.
 */
final class LoopChecks {
    static final String OWNER = CellInterrupts.class.getName().replace('.', '/');
    static final String METHOD = "check";

    private LoopChecks() {
    }

    /** The class with checks added, or null when it has no backward jump (nothing to change). */
    static byte[] instrument(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        // COMPUTE_MAXS only: frames are kept as they are; COMPUTE_FRAMES would load classes.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        boolean[] changed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                return next == null ? null : new BackEdges(next, changed);
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    private static final class BackEdges extends MethodVisitor {
        private final Set<Label> visited = new HashSet<>();
        private final boolean[] changed;

        BackEdges(MethodVisitor next, boolean[] changed) {
            super(Opcodes.ASM9, next);
            this.changed = changed;
        }

        @Override
        public void visitLabel(Label label) {
            visited.add(label);
            super.visitLabel(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label target) {
            if (visited.contains(target)) {
                check();
            }
            super.visitJumpInsn(opcode, target);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            if (anyVisited(dflt, labels)) {
                check();
            }
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            if (anyVisited(dflt, labels)) {
                check();
            }
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        private boolean anyVisited(Label dflt, Label[] labels) {
            if (visited.contains(dflt)) {
                return true;
            }
            for (Label l : labels) {
                if (visited.contains(l)) {
                    return true;
                }
            }
            return false;
        }

        private void check() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, METHOD, "()V", false);
            changed[0] = true;
        }
    }
}
