package org.ipccourse.pool;

import java.io.ObjectInputFilter;
import java.util.List;

/**
 * The pool's deserialization filter: a user pattern first, then a deny list of packages used by
 * known gadget chains, then limits on graph depth and array length; everything else is admitted.
 * The package documentation explains the policy. One instance per stream: it remembers what it
 * rejected, so that {@link ObjectCodec} can say so in the exception.
 */
final class SerialFilter implements ObjectInputFilter {
    /** Package or class prefixes refused by default, with the reason printed when one is hit. */
    static final List<String> DENIED = List.of(
            "javax.management.", "java.rmi.", "sun.rmi.", "javax.naming.", "com.sun.jndi.",
            "com.sun.rowset.", "javax.script.", "java.beans.", "com.sun.org.apache.xalan.",
            "org.apache.xalan.", "org.apache.commons.collections.functors.",
            "org.apache.commons.collections4.functors.", "org.apache.commons.beanutils.",
            "org.codehaus.groovy.runtime.", "groovy.", "bsh.", "clojure.", "org.python.core.",
            "org.springframework.beans.factory.", "org.springframework.aop.", "com.mchange.v2.c3p0.",
            "org.hibernate.", "net.sf.json.", "com.rometools.", "com.sun.syndication.",
            "org.mozilla.javascript.", "javassist.");
    /** The denied prefix matching each class, or "" when none does; computed once per class. */
    private static final ClassValue<String> DENIED_PREFIX = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            String name = type.getName();
            for (String prefix : DENIED) {
                if (name.startsWith(prefix)) {
                    return prefix;
                }
            }
            return "";
        }
    };
    static final long MAX_DEPTH = 10_000;
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final ObjectInputFilter user;
    private final String userPattern;
    volatile String rejected;

    SerialFilter(String userPattern) {
        this.userPattern = userPattern == null ? "" : userPattern;
        this.user = this.userPattern.isBlank() ? null : parse(this.userPattern);
    }

    /** The JDK filter for {@code pattern}, or one clear exception saying what is wrong with it. */
    static ObjectInputFilter parse(String pattern) {
        try {
            return Config.createFilter(pattern);
        } catch (IllegalArgumentException e) { // NumberFormatException for "maxdepth=x"
            throw new IllegalArgumentException("the deserialization filter pattern \"" + pattern + "\" is malformed ("
                    + e.getMessage() + "); write it in the syntax of java.io.ObjectInputFilter.Config.createFilter,"
                    + " e.g. \"com.example.*;!*\" or \"maxdepth=100\"", e);
        }
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (user != null) {
            Status s = user.checkInput(info);
            if (s == Status.REJECTED) {
                return reject(info, "rejected by the pattern \"" + userPattern + "\" given to the pool");
            }
            if (s == Status.ALLOWED) {
                return s;
            }
        }
        if (info.depth() > MAX_DEPTH) {
            return reject(info, "object graph deeper than " + MAX_DEPTH);
        }
        if (info.arrayLength() > MAX_ARRAY) {
            return reject(info, "array longer than " + MAX_ARRAY);
        }
        Class<?> c = info.serialClass();
        while (c != null && c.isArray()) {
            c = c.getComponentType();
        }
        String prefix = c == null ? "" : DENIED_PREFIX.get(c);
        if (!prefix.isEmpty()) {
            rejected = "class " + c.getName() + " is rejected by the process pool's deserialization filter"
                    + " (its package " + prefix + "* is a known deserialization gadget source);"
                    + " to admit it, build the pool with .deserializationFilter(\"" + c.getName() + "\")";
            return Status.REJECTED;
        }
        return Status.ALLOWED;
    }

    private Status reject(FilterInfo info, String why) {
        Class<?> c = info.serialClass();
        rejected = (c == null ? "a stream" : "class " + c.getName())
                + " is rejected by the process pool's deserialization filter: " + why;
        return Status.REJECTED;
    }
}
