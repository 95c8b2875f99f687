package dev.chorus.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every job bean, by name. */
@ApplicationScoped
public class Jobs {

    private final Map<String, Job> byName = new TreeMap<>();

    public Jobs(@Any Instance<Job> jobs) {
        for (Job job : jobs) {
            Job earlier = byName.put(job.name(), job);
            if (earlier != null) {
                throw new IllegalStateException("two jobs are named " + job.name());
            }
        }
    }

    public Optional<Job> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Job> all() {
        return byName.values();
    }
}
