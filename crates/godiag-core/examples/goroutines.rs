//! Prints the goroutines of a core: `goroutines CORE EXECUTABLE`.
fn main() {
    let mut args = std::env::args().skip(1);
    let (core_path, exe_path) = (args.next().expect("CORE"), args.next().expect("EXECUTABLE"));
    let core_bytes = std::fs::read(&core_path).expect("core");
    let exe_bytes = std::fs::read(&exe_path).expect("executable");
    let core = godiag_core::Core::parse(&core_bytes).expect("an ELF core");
    let exe = godiag_exe::GoExecutable::parse(&exe_bytes).expect("a Go executable");
    println!("{} threads, entry {:?}", core.threads.len(), core.entry());
    for t in &core.threads {
        println!(
            "thread {} sig {} rip {:#x} rsp {:#x} fs_base {:#x}",
            t.pid, t.signal, t.rip, t.rsp, t.fs_base
        );
    }
    match godiag_core::goroutines(&core.image(), &exe, &exe_bytes) {
        Ok(cg) => {
            println!("fault: {:?}", cg.fault);
            for g in cg.goroutines {
                println!(
                    "goroutine {} [{}] gp {:?}:",
                    g.id,
                    g.status,
                    g.gp.map(|x| format!("{x:#x}"))
                );
                for f in &g.frames {
                    println!("{}\n\t{}:{}", f.function, f.file, f.line);
                }
                println!();
            }
        }
        Err(e) => println!("{e}"),
    }
}
