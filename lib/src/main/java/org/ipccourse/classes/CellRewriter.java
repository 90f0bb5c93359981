package org.ipccourse.classes;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Rewrites the class files of notebook cells ({@code REPL.*}) so that cell code behaves in a
 * worker JVM as it does in the kernel.
 *
 * <ul>
 *   <li><b>Serializable lambdas</b> (kernel and worker): every lambda and method reference of a cell
 *       class is created with {@code LambdaMetafactory.altMetafactory} and {@code FLAG_SERIALIZABLE},
 *       so a {@code Callable} or {@code Runnable} written in a cell can be sent to a worker through
 *       any {@code ExecutorService} method, and the class's {@code $deserializeLambda$} is replaced
 *       by one that rebuilds any of its lambdas ({@link CellLambdas#rebuild}).</li>
 *   <li><b>Notebook state</b> (worker only): every read of a static field of a cell class
 *       ({@code GETSTATIC}; top-level notebook variables are such fields) becomes a call to
 *       {@link NotebookState#read}, which asks the kernel for its value; every write
 *       ({@code PUTSTATIC}) outside the class's own static initializer is preceded by a call to
 *       {@link NotebookState#assigning}, which fails the task for a notebook variable, saying to
 *       return the value instead, and makes a static field of a class the worker's own.
 *       Because the rewrite is in the bytecode the worker runs, it catches every path to the read:
 *       cell methods, interface and virtual calls, anonymous and inner classes, lambdas in lambdas.</li>
 *   <li><b>Kernel writes</b> (kernel only): every assignment ({@code PUTSTATIC}) of a static field
 *       of a class declared in a cell, outside that class's own static initializer, is followed by
 *       a call to {@link NotebookState#kernelWrites}, so that the next task carries a new epoch
 *       and workers fetch those fields again. Top-level notebook variables are left alone: workers
 *       fetch them for every task anyway.</li>
 * </ul>
 *
 * <p>Costs: one parse and write of each cell class (well under a millisecond for a cell); for
 * the worker's rewrite a method call per static-field read ({@link NotebookState} gives its cost);
 * for the kernel's, one plain store per assignment of a class's static field.
 */
public final class CellRewriter {
    static final String CELL_PREFIX = "REPL/";
    private static final String METAFACTORY = "java/lang/invoke/LambdaMetafactory";
    private static final Handle ALT_METAFACTORY = new Handle(Opcodes.H_INVOKESTATIC, METAFACTORY, "altMetafactory",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;[Ljava/lang/Object;)"
                    + "Ljava/lang/invoke/CallSite;", false);
    private static final int FLAG_SERIALIZABLE = 1;
    private static final String DESERIALIZE = "$deserializeLambda$";
    private static final String DESERIALIZE_DESC = "(Ljava/lang/invoke/SerializedLambda;)Ljava/lang/Object;";
    private static final String STATE = NotebookState.class.getName().replace('.', '/');
    private static final String LAMBDAS = CellLambdas.class.getName().replace('.', '/');

    private CellRewriter() {
    }

    /**
     * The class file a worker defines for a cell class: serializable lambdas, and every static
     * field of a cell class read from the kernel.
     *
     * @param classFile the class as the kernel's compiler wrote it
     * @return the rewritten class file
     */
    public static byte[] forWorker(byte[] classFile) {
        byte[] rewritten = rewrite(classFile, true);
        return rewritten != null ? rewritten : classFile;
    }

    /**
     * The kernel's copy of a cell class: serializable lambdas, and a changed mark after each
     * assignment of a static field of a class declared in a cell; null when it needs neither.
     */
    static byte[] forKernel(byte[] classFile) {
        return rewrite(classFile, false);
    }

    private static byte[] rewrite(byte[] classFile, boolean worker) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        Rewrite rewrite = new Rewrite(writer, worker);
        reader.accept(rewrite, 0);
        return rewrite.changed ? writer.toByteArray() : null;
    }

    private static final class Rewrite extends ClassVisitor {
        private final boolean worker;
        private String className;
        private boolean hasLambdas;
        boolean changed;

        Rewrite(ClassVisitor next, boolean worker) {
            super(Opcodes.ASM9, next);
            this.worker = worker;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            className = name;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            if (name.equals(DESERIALIZE) && descriptor.equals(DESERIALIZE_DESC)) {
                changed = true;
                hasLambdas = true;
                return null; // replaced in visitEnd by one that rebuilds every lambda of the class
            }
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            return next == null ? null : new Instructions(next, name.equals("<clinit>"));
        }

        @Override
        public void visitEnd() {
            if (hasLambdas) {
                MethodVisitor m = super.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
                        DESERIALIZE, DESERIALIZE_DESC, null, null);
                m.visitCode();
                m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup",
                        "()Ljava/lang/invoke/MethodHandles$Lookup;", false);
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, LAMBDAS, "rebuild",
                        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/invoke/SerializedLambda;)Ljava/lang/Object;", false);
                m.visitInsn(Opcodes.ARETURN);
                m.visitMaxs(0, 0);
                m.visitEnd();
            }
            super.visitEnd();
        }

        private final class Instructions extends MethodVisitor {
            private final boolean staticInitializer;

            Instructions(MethodVisitor next, boolean staticInitializer) {
                super(Opcodes.ASM9, next);
                this.staticInitializer = staticInitializer;
            }

            @Override
            public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
                if (bootstrap.getOwner().equals(METAFACTORY)) {
                    Object[] serializable = serializable(bootstrap, arguments);
                    if (serializable != null) {
                        changed = true;
                        hasLambdas = true;
                        super.visitInvokeDynamicInsn(name, descriptor, ALT_METAFACTORY, serializable);
                        return;
                    }
                }
                super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
            }

            @Override
            public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                if (!worker) {
                    super.visitFieldInsn(opcode, owner, name, descriptor);
                    if (opcode == Opcodes.PUTSTATIC && owner.startsWith(CELL_PREFIX)
                            && !NotebookState.isNotebookVariable(owner.replace('/', '.'))
                            && !(staticInitializer && owner.equals(className))) {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, STATE, "kernelWrites", "()V", false);
                        changed = true;
                    }
                    return;
                }
                if (!owner.startsWith(CELL_PREFIX)
                        || (opcode != Opcodes.GETSTATIC && opcode != Opcodes.PUTSTATIC)) {
                    super.visitFieldInsn(opcode, owner, name, descriptor);
                    return;
                }
                Type type = Type.getType(descriptor);
                if (opcode == Opcodes.PUTSTATIC) {
                    if (staticInitializer && owner.equals(className)) {
                        super.visitFieldInsn(opcode, owner, name, descriptor); // the worker's own copy of the class
                        return;
                    }
                    pushField(owner, name); // fails for a notebook variable, claims a class's field for this JVM
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, STATE, "assigning", "(Ljava/lang/Class;Ljava/lang/String;)V", false);
                    super.visitFieldInsn(opcode, owner, name, descriptor);
                } else {
                    pushField(owner, name);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, STATE, "read",
                            "(Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;", false);
                    unbox(type);
                }
                changed = true;
            }

            private void pushField(String owner, String name) {
                super.visitLdcInsn(Type.getObjectType(owner));
                super.visitLdcInsn(name);
            }

            private void unbox(Type type) {
                String box = switch (type.getSort()) {
                    case Type.BOOLEAN -> "java/lang/Boolean";
                    case Type.CHAR -> "java/lang/Character";
                    case Type.BYTE -> "java/lang/Byte";
                    case Type.SHORT -> "java/lang/Short";
                    case Type.INT -> "java/lang/Integer";
                    case Type.FLOAT -> "java/lang/Float";
                    case Type.LONG -> "java/lang/Long";
                    case Type.DOUBLE -> "java/lang/Double";
                    default -> null;
                };
                if (box == null) {
                    super.visitTypeInsn(Opcodes.CHECKCAST, type.getSort() == Type.ARRAY ? type.getDescriptor() : type.getInternalName());
                    return;
                }
                super.visitTypeInsn(Opcodes.CHECKCAST, box);
                super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, box, type.getClassName() + "Value",
                        "()" + type.getDescriptor(), false);
            }
        }

        /** The bootstrap arguments of altMetafactory with FLAG_SERIALIZABLE; null if already so or unknown. */
        private static Object[] serializable(Handle bootstrap, Object[] arguments) {
            if (bootstrap.getName().equals("metafactory") && arguments.length == 3) {
                return new Object[] {arguments[0], arguments[1], arguments[2], FLAG_SERIALIZABLE};
            }
            if (bootstrap.getName().equals("altMetafactory") && arguments.length >= 4
                    && arguments[3] instanceof Integer flags && (flags & FLAG_SERIALIZABLE) == 0) {
                Object[] copy = arguments.clone();
                copy[3] = flags | FLAG_SERIALIZABLE;
                return copy;
            }
            return null;
        }
    }
}
