Console.WriteLine("Benchmarks: see bench/README.md");
return 0;
